"""Another team's subscriber, run from a virtual environment that holds only the
`shegong-events[faststream]` wheel: the meetings held, one JSON line per delivery.

    python meetings.py OUT DURABLE [--fail-once AGGREGATE] [--hang-on AGGREGATE]

It connects through the kit's `nats_broker` (the integrator's env file named by
SHEGONG_NATS_ENV_FILE). `--fail-once` raises on an aggregate's first delivery (the kit must ask
for redelivery); `--hang-on` never returns from an aggregate's handler (a process killed there
must get the event again: acknowledged only after the handler). SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from importlib.metadata import version

from faststream.nats import NatsRouter
from shegong_events.decoding import Delivered
from shegong_events.engagement import MeetingHeld
from shegong_events.subscriber import nats_broker, shegong_subscriber

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("durable")
parser.add_argument("--fail-once", action="append", default=[])
parser.add_argument("--hang-on", action="append", default=[])
args = parser.parse_args()
fail_once = set(args.fail_once)
router = NatsRouter()


def write(line: dict) -> None:
    with open(args.out, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


@shegong_subscriber(
    router, domain="engagement", durable=args.durable, event_type="MeetingHeld", ack_wait_s=10
)
async def on_meeting(delivered: Delivered) -> None:
    event, envelope = delivered.event, delivered.envelope
    line = {
        "event_id": str(envelope.event_id),
        "meeting_id": envelope.aggregate_id,
        "station_id": envelope.station_id,
        "type": type(event).__name__,
        "typed": isinstance(event, MeetingHeld),
        "participants": getattr(event, "participants_total", None),
        "outcome": "handled",
        "pid": os.getpid(),
    }
    if envelope.aggregate_id in fail_once:
        fail_once.discard(envelope.aggregate_id)
        write(line | {"outcome": "failed"})
        raise RuntimeError("the team's database is briefly away")
    if envelope.aggregate_id in args.hang_on:
        write(line | {"outcome": "hanging"})
        await asyncio.Event().wait()
    write(line)


async def main() -> None:
    broker = nats_broker(name=f"outside-{args.durable}")
    broker.include_router(router)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with broker:
        await broker.start()
        print(f"subscribed with faststream {version('faststream')}", flush=True)
        await stop.wait()


asyncio.run(main())

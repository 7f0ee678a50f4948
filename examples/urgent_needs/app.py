"""An example subscriber of another service: it watches the visits stream for urgent needs
(紧急需求) and keeps, per station, the needs nobody has referred yet: what a district's duty
desk would put on its wall. Beside a running stack (`scripts/up`), from the repository:

    set -a; . .state/nats/integrator.env; set +a
    uv run faststream run examples.urgent_needs.app:app

(the env file gives NATS_URL, and SHEGONG_NATS_USER / SHEGONG_NATS_PASSWORD of the read-only
integrator; SHEGONG_NATS_ENV_FILE=.state/nats/integrator.env names the file instead).

It is written only against `shegong_events`: the kit's broker (`nats_broker`, the one way to
connect), typed, upcast events, a durable pull consumer of its own, acknowledged after each
handler.
"""

from __future__ import annotations

from collections import defaultdict

from faststream import FastStream
from faststream.nats import NatsBroker, NatsRouter
from shegong_events.decoding import Delivered
from shegong_events.subscriber import nats_broker, shegong_subscriber
from shegong_events.visits import NeedIdentified, NeedReferred

router = NatsRouter()
# station → need id → category of the urgent needs still waiting for a referral
waiting: dict[str, dict[str, str]] = defaultdict(dict)
unknown: list[str] = []  # event types this catalogue does not know yet (a newer publisher)


@shegong_subscriber(router, domain="visits", durable="example-urgent-needs")
async def on_visits_event(delivered: Delivered) -> None:
    """Urgent needs waiting for a referral, per station."""
    event, station = delivered.event, delivered.envelope.station_id
    if event is None:
        unknown.append(delivered.envelope.event_type)
    elif isinstance(event, NeedIdentified) and event.severity == "urgent":
        waiting[station][event.need_id] = event.category
        say(station)
    elif isinstance(event, NeedReferred) and waiting[station].pop(event.need_id, None) is not None:
        say(station)


def say(station: str) -> None:
    """The wall, one line per change: counts and categories only, never a person."""
    categories = sorted(waiting[station].values())
    print(f"urgent needs waiting at {station}: {len(categories)} {categories}", flush=True)


def broker() -> NatsBroker:
    b = nats_broker(name="example-urgent-needs")
    b.include_router(router)
    return b


app = FastStream(broker())

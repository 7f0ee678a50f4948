"""An example subscriber of another service: it watches the visits stream for urgent needs
(紧急需求) and keeps, per station, the needs nobody has referred yet: what a district's duty
desk would put on its wall. Run it with `faststream run examples.urgent_needs.app:app` beside
a Shegong stack (NATS_URL, and SHEGONG_NATS_USER / SHEGONG_NATS_PASSWORD as the integrator).

It is written only against `shegong_events`: typed, upcast events from the kit, a durable pull
consumer of its own, acknowledged after each handler.
"""

from __future__ import annotations

import os
from collections import defaultdict

from faststream import FastStream
from faststream.nats import NatsBroker, NatsRouter
from shegong_events.decoding import Delivered
from shegong_events.subscriber import shegong_subscriber
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
    elif isinstance(event, NeedReferred):
        waiting[station].pop(event.need_id, None)


def broker() -> NatsBroker:
    user = os.environ.get("SHEGONG_NATS_USER")
    credentials = (
        {"user": user, "password": os.environ.get("SHEGONG_NATS_PASSWORD", "")} if user else {}
    )
    b = NatsBroker(os.environ.get("NATS_URL", "nats://127.0.0.1:4322").split(","), **credentials)
    b.include_router(router)
    return b


app = FastStream(broker())

"""From a source event to planned deliveries and reminders, inside the planner's transaction.

Every write is keyed: a delivery by (rule, source event, recipient), a reminder by (rule,
source event). Inserted ON CONFLICT DO NOTHING, so a redelivered, replayed or rebuilt event
plans nothing twice; and a rule plans only events recorded while it was active, so history
older than the rule sends nothing.
"""

from __future__ import annotations

import asyncpg
from shegong_events import Envelope

from shegong_notifications import deliveries, reminders, rulebook
from shegong_notifications.domain import matching
from shegong_notifications.stations import station


async def on_event(conn: asyncpg.Connection, event: Envelope) -> int:
    """Plan what the event sets off under every rule; returns the deliveries newly planned."""
    where = await station(conn, event.station_id)
    district_id = where["district_id"] if where else None
    planned = 0
    for rule in await rulebook.cancelled_by(conn, event.event_type, event.station_id, district_id):
        if matching.cancels(rule, event, district_id):
            await reminders.cancel(conn, rule, event, district_id)
    for rule in await rulebook.triggered_by(conn, event.event_type, event.station_id, district_id):
        if not matching.applies(rule, event, district_id):
            continue
        if rule.reminder is None:
            planned += await deliveries.plan(conn, rule, event, where, at=event.recorded_at)
        else:
            await reminders.schedule(conn, rule, event, district_id)
    return planned

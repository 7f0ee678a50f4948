"""The planner: a durable consumer of the registry, visits and engagement streams that turns
events into planned deliveries and reminders.

Its generation schema holds only the runtime's tracking rows; what it plans lives in the
service schema (schema.py), so a rebuild replays history against the same unique keys. A
rebuilding generation also leaves alone every event the live generation already applied:
what the live planner decided stands, and a rebuild plans only what it has not seen yet.
"""

from __future__ import annotations

import asyncpg
from shegong_events import Envelope
from shegong_runtime import generations
from shegong_runtime.projection import Projection

from shegong_notifications import planner, planning, schema


class NotificationPlanner(Projection):
    name = "notifications_planner"
    domains = ("registry", "visits", "engagement")
    ddl = schema.LOCK + schema.TABLES

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        if await self.seen_by_live_generation(conn, s, event):
            await planning.learn_station(conn, event)
            return
        await planner.on_event(conn, event)

    async def seen_by_live_generation(self, conn: asyncpg.Connection, s: str, event: Envelope) -> bool:
        live = await conn.fetchval(
            f"SELECT live FROM {generations.META}.generations WHERE projection = $1", self.name
        )
        live_schema = generations.schema_name(self.name, live) if live is not None else s
        if live_schema == s or not await conn.fetchval("SELECT to_regclass($1)", f"{live_schema}.processed"):
            return False
        return bool(await conn.fetchval(
            f"SELECT 1 FROM {live_schema}.processed WHERE event_id = $1 AND NOT dead", event.event_id
        ))

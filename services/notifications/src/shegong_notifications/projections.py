"""The service's read models, and the planner.

- Its own events keep their tables in step inside the command's transaction (`in_step`, the
  `after_append` of every route): rules, the directory, deliveries redriven, inbox items read.
- The planner, a durable consumer of the registry, visits and engagement streams, turns every
  event into planned deliveries and reminders (`planner.on_event`); it reads stations from the
  kit's directory (`stations`).

A handler per event type, over the tables declared in `tables.py`. The planner's generation
schema holds only the runtime's tracking rows; what it plans lives in the service schema, so
a rebuild replays history against the same unique keys. A rebuilding generation also leaves
alone every event the live generation already applied: what the live planner decided stands,
and a rebuild plans only what it has not seen yet.
"""

from __future__ import annotations

import uuid

import asyncpg
from shegong_events import Envelope
from shegong_events.notifications import NotificationRead, NotificationRedriven
from shegong_runtime import generations
from shegong_runtime.projection import Projection
from shegong_runtime.read_models import Handlers

from shegong_notifications import directory, planner, rulebook, stations, tables
from shegong_notifications.tables import S


async def redriven(
    conn: asyncpg.Connection, _s: str, env: Envelope, _: NotificationRedriven
) -> None:
    await conn.execute(
        f"UPDATE {S}.deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
        "last_error = NULL WHERE delivery_id = $1 AND status = 'dead'",
        uuid.UUID(env.aggregate_id),
    )


async def read(conn: asyncpg.Connection, _s: str, env: Envelope, _: NotificationRead) -> None:
    await conn.execute(
        f"UPDATE {S}.inbox SET read_at = $2 WHERE delivery_id = $1 AND read_at IS NULL",
        uuid.UUID(env.aggregate_id),
        env.recorded_at,
    )


# handlers write the service schema's tables (`tables.S`), whichever generation is running
OWN = Handlers(
    rulebook.HANDLERS, directory.HANDLERS, {NotificationRedriven: redriven, NotificationRead: read}
)
STATIONS = Handlers(stations.PREVIOUS_RELEASE)  # the old copy, for the previous release


async def in_step(conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
    """After a command's append, in its transaction: its events' tables kept in step."""
    for env in envelopes:
        await OWN.dispatch(conn, S, env)


class NotificationPlanner(Projection):
    name = "notifications_planner"
    domains = ("registry", "visits", "engagement")
    ddl = tables.LOCK + tables.TABLES

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        await self.apply_batch(conn, s, [event])

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """Stations learned from every event; the planner asked only about events of a type some
        rule triggers on or is cancelled by (most of a year's events set nothing off), and not
        seen by the live generation: two reads for the batch, not several per event."""
        seen = await self.seen_by_live_generation(conn, s, events)
        named = await rulebook.named_types(conn)
        for event in events:
            await STATIONS.dispatch(conn, s, event)
            if event.event_type in named and event.event_id not in seen:
                await planner.on_event(conn, event)

    async def seen_by_live_generation(
        self, conn: asyncpg.Connection, s: str, events: list[Envelope]
    ) -> set[uuid.UUID]:
        live = await conn.fetchval(
            f"SELECT live FROM {generations.META}.generations WHERE projection = $1", self.name
        )
        live_schema = generations.schema_name(self.name, live) if live is not None else s
        if live_schema == s or not await conn.fetchval(
            "SELECT to_regclass($1)", f"{live_schema}.processed"
        ):
            return set()
        rows = await conn.fetch(
            f"SELECT event_id FROM {live_schema}.processed "
            "WHERE event_id = ANY($1::uuid[]) AND NOT dead",
            [e.event_id for e in events],
        )
        return {r["event_id"] for r in rows}

"""The stations as the planner knows them: names and districts for the texts, districts for
district-wide rules. Learnt from the registry's events, a handler per event type."""

from __future__ import annotations

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationOpened, StationUpdated
from shegong_runtime.read_models import Handler

from shegong_notifications.tables import S


async def opened(conn: asyncpg.Connection, _s: str, env: Envelope, e: StationOpened) -> None:
    await conn.execute(
        f"INSERT INTO {S}.stations VALUES ($1, $2, $3, $4) ON CONFLICT (station_id) DO UPDATE "
        "SET name = EXCLUDED.name, district_id = EXCLUDED.district_id, district_name = EXCLUDED.district_name",
        e.station_id,
        e.name,
        e.district_id,
        e.district_name,
    )


async def updated(conn: asyncpg.Connection, _s: str, env: Envelope, e: StationUpdated) -> None:
    if e.name:
        await conn.execute(
            f"UPDATE {S}.stations SET name = $2 WHERE station_id = $1", env.aggregate_id, e.name
        )


HANDLERS: dict[type[DomainEvent], Handler] = {StationOpened: opened, StationUpdated: updated}


async def station(conn: asyncpg.Connection, station_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT * FROM {S}.stations WHERE station_id = $1", station_id)

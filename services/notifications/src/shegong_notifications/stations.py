"""Stations as the planner, the courier and the reminder clock see them: the kit's station
directory (`shegong_runtime.station_directory`), the service's one stations table, read inside
their own transactions for names in the texts and districts for district-wide rules.

`notifications.stations`, the planner's own copy in releases before this one, is no longer
read. The planner still writes it (`PREVIOUS_RELEASE`) because the previous release reads it
while both run side by side during an upgrade; the release after this one stops writing it
and drops the table (a contract step, once no reader is left).
"""

from __future__ import annotations

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationOpened, StationUpdated
from shegong_runtime import station_directory
from shegong_runtime.read_models import Handler

from shegong_notifications.tables import S

SERVICE = "notifications"  # the directory is `<service>_stations`


async def station(conn: asyncpg.Connection, station_id: str) -> asyncpg.Record | None:
    """The station's name, district and district name; None while the registry's event has not
    reached the directory yet."""
    return await station_directory.station(conn, SERVICE, station_id)


async def _opened(conn: asyncpg.Connection, _s: str, env: Envelope, e: StationOpened) -> None:
    await conn.execute(
        f"INSERT INTO {S}.stations VALUES ($1, $2, $3, $4) ON CONFLICT (station_id) DO UPDATE "
        "SET name = EXCLUDED.name, district_id = EXCLUDED.district_id, district_name = EXCLUDED.district_name",
        e.station_id,
        e.name,
        e.district_id,
        e.district_name,
    )


async def _updated(conn: asyncpg.Connection, _s: str, env: Envelope, e: StationUpdated) -> None:
    if e.name:
        await conn.execute(
            f"UPDATE {S}.stations SET name = $2 WHERE station_id = $1", env.aggregate_id, e.name
        )


# the old copy, written for the previous release only (see the module's docstring)
PREVIOUS_RELEASE: dict[type[DomainEvent], Handler] = {
    StationOpened: _opened,
    StationUpdated: _updated,
}

"""The station directory each service keeps from the registry's events (stations are data).

One table per service (`<service>_stations`, a projection with generations like any other):
routes check scope through `StationDirectory`, and projections and jobs that need a station's
name or district inside their own transaction read the same rows with `station`.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg
from shegong_events import Envelope
from shegong_events.registry import StationOpened, StationUpdated

from shegong_runtime import generations
from shegong_runtime.auth import Principal, R
from shegong_runtime.errors import DomainError
from shegong_runtime.read_models import Handlers, ReadModel


class UnknownStation(DomainError):
    """The station id is not one the registry has opened."""

    status = 422


async def _opened(conn: asyncpg.Connection, s: str, env: Envelope, fact: StationOpened) -> None:
    await conn.execute(
        f"INSERT INTO {s}.stations VALUES ($1, $2, $3, $4, $5) ON CONFLICT (station_id) DO UPDATE "
        "SET name = EXCLUDED.name, district_id = EXCLUDED.district_id, "
        "district_name = EXCLUDED.district_name, city = EXCLUDED.city",
        fact.station_id,
        fact.name,
        fact.district_id,
        fact.district_name,
        fact.city,
    )


async def _updated(conn: asyncpg.Connection, s: str, env: Envelope, fact: StationUpdated) -> None:
    if fact.name:
        await conn.execute(
            f"UPDATE {s}.stations SET name = $2 WHERE station_id = $1", env.aggregate_id, fact.name
        )


class KnownStations(ReadModel):
    """Station ids, names and districts, for validation and scoping in any service."""

    domains = ("registry",)
    ddl = """
    CREATE TABLE IF NOT EXISTS {s}.stations (
        station_id    text PRIMARY KEY,
        name          text NOT NULL,
        district_id   text NOT NULL,
        district_name text NOT NULL,
        city          text NOT NULL
    );
    """
    handlers = Handlers({StationOpened: _opened, StationUpdated: _updated})

    def __init__(self, service: str) -> None:
        self.name = f"{service}_stations"


async def station(conn: asyncpg.Connection, service: str, station_id: str) -> asyncpg.Record | None:
    """The station's row (`station_id`, `name`, `district_id`, `district_name`, `city`) in the
    service's live directory, read on the caller's connection; None while it is not known."""
    table = await generations.live_table(conn, KnownStations(service).name, "stations")
    if table is None:  # a fresh start: the directory's runner has not created it yet
        return None
    return await conn.fetchrow(f"SELECT * FROM {table} WHERE station_id = $1", station_id)


class StationDirectory:
    """Reads the service's KnownStations model; the cache fills as stations become known."""

    def __init__(self, pool: asyncpg.Pool, projection: KnownStations) -> None:
        self.pool, self.projection = pool, projection
        self._districts: dict[str, str] = {}

    async def refresh(self) -> None:
        schema = await generations.live_schema(self.pool, self.projection.name)
        try:
            rows = await self.pool.fetch(f"SELECT station_id, district_id FROM {schema}.stations")
        except asyncpg.UndefinedTableError:
            rows = []
        self._districts = {r["station_id"]: r["district_id"] for r in rows}

    async def require(self, station_id: str) -> None:
        if station_id not in self._districts:
            await self.refresh()
        if station_id not in self._districts:
            raise UnknownStation(
                f"社工站 {station_id!r} 尚未开设",
                field="station_id",
            )

    async def check_write(self, who: Principal, station_id: str) -> None:
        """The one scope check before a command: the station is known (422 UnknownStation), the caller may write there (403)."""
        await self.require(station_id)
        who.require_write(station_id, self.district_of)

    async def check_read(self, who: Principal, station_id: str) -> None:
        await self.require(station_id)
        who.require_station(station_id, self.district_of)

    async def visible(self, who: Principal, rows: Iterable[R]) -> list[R]:
        """The rows (each with a `station_id`) of the stations the caller sees, the directory
        refreshed first so a station opened a moment ago counts."""
        await self.refresh()
        return who.visible(rows, self.district_of)

    async def scope(self, who: Principal, station_id: str | None = None) -> list[str] | None:
        """The stations a list is read over, for its statement's WHERE (a page filtered after
        the fetch would come back short): the one asked for, if the caller may see it (403
        otherwise); else every station the caller sees; None for the whole city."""
        await self.refresh()
        if station_id is not None:
            who.require_station(station_id, self.district_of)
            return [station_id]
        if who.citywide:
            return None
        known = set(self._districts) | set(who.stations)
        return sorted(s for s in known if who.can_see(s, self.district_of))

    def district_of(self, station_id: str) -> str | None:
        return self._districts.get(station_id)

    async def all(self) -> dict[str, str]:
        await self.refresh()
        return dict(self._districts)

"""The stations a worker may choose in a form, with their names, from the registry's events
(the service's KnownStations model): a district officer's and the city's are not in the token."""

from __future__ import annotations

import asyncpg
from shegong_runtime import generations
from shegong_runtime.auth import Principal
from shegong_runtime.service import Runtime


async def visible(rt: Runtime, who: Principal) -> list[tuple[str, str]]:
    """(station_id, name) of every known station the worker's scope reaches, by id."""
    schema = await generations.live_schema(rt.pool, f"{rt.settings.service}_stations")
    try:
        rows = await rt.pool.fetch(
            f"SELECT station_id, name, district_id FROM {schema}.stations ORDER BY station_id"
        )
    except asyncpg.UndefinedTableError:
        rows = []
    districts = {r["station_id"]: r["district_id"] for r in rows}
    known = [(r["station_id"], r["name"]) for r in who.visible(rows, districts.get)]
    missing = [(s, s) for s in sorted(who.stations) if s not in districts]  # not yet learnt
    return known + missing

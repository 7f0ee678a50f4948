"""Queries over the registry's own read models."""

from __future__ import annotations

from shegong_runtime import generations
from shegong_runtime.service import Runtime


async def stations(rt: Runtime) -> list[dict]:
    schema = await generations.live_schema(rt.pool, rt.stations.projection.name)
    rows = await rt.pool.fetch(f"SELECT * FROM {schema}.stations ORDER BY district_id, station_id")
    return [dict(r) for r in rows]

"""The roundup of a scope (the city or a district) over a span, read from the board."""

from __future__ import annotations

import asyncpg

from shegong_stations.periods import Span
from shegong_stations.roundup import Roundup, build
from shegong_stations.views import directory
from shegong_stations.views.directory import Station
from shegong_stations.views.roundup_facts import gather


async def roundup(
    pool: asyncpg.Pool, scope: str, chosen: list[Station], everyone: list[Station], span: Span
) -> Roundup:
    s = await directory.schema(pool)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        facts = await gather(conn, s, [st.station_id for st in chosen], span)
    return build(scope, span, {st.station_id: st.name for st in everyone}, facts)

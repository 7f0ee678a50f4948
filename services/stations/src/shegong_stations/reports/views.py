"""The monthly report read from the board: this month and the one before, in one snapshot."""

from __future__ import annotations

import asyncpg

from shegong_stations.periods import Span
from shegong_stations.queries.directory import Station
from shegong_stations.reports import monthly, monthly_figures
from shegong_stations.views import snapshot


async def monthly_report(
    pool: asyncpg.Pool, scope: str, chosen: list[Station], month: Span, previous: Span
) -> monthly.MonthlyReport:
    ids = [st.station_id for st in chosen]
    async with snapshot(pool) as (conn, s):
        now = await monthly_figures.gather(conn, s, ids, month)
        before = await monthly_figures.gather(conn, s, ids, previous)
    return monthly.build(scope, month, previous, now, before)

"""What the charts draw beyond the figures: visits week by week, and open needs by category and
severity. Counted at query time like the figures, as of a day."""

from __future__ import annotations

from datetime import date

import asyncpg

from shegong_stations.periods import weeks_back


async def weekly_visits(
    conn: asyncpg.Connection, s: str, station_ids: list[str], on: date, weeks: int
) -> dict[str, list[int]]:
    """Visits made per station in each of the `weeks` weeks up to the week of `on`, oldest
    first; the current week counts up to `on` only."""
    spans = weeks_back(on, weeks)
    rows = await conn.fetch(
        f"""SELECT station_id, (visited_on - $2::date) / 7 AS week, count(*) AS n
            FROM {s}.visits WHERE status = 'made' AND visited_on BETWEEN $2 AND $3
              AND station_id = any($1) GROUP BY 1, 2""",
        list(station_ids),
        spans[0].start,
        on,
    )
    out = {sid: [0] * weeks for sid in station_ids}
    for r in rows:
        out[r["station_id"]][r["week"]] = r["n"]
    return out


async def open_needs(
    conn: asyncpg.Connection, s: str, station_ids: list[str], on: date
) -> dict[str, dict[str, dict[str, int]]]:
    """Needs still open or referred on `on`: station -> category -> severity -> count."""
    rows = await conn.fetch(
        f"""SELECT station_id, category, severity, count(*) AS n FROM {s}.needs
            WHERE status IN ('open', 'referred') AND identified_on <= $2 AND station_id = any($1)
            GROUP BY 1, 2, 3""",
        list(station_ids),
        on,
    )
    out: dict[str, dict[str, dict[str, int]]] = {sid: {} for sid in station_ids}
    for r in rows:
        out[r["station_id"]].setdefault(r["category"], {})[r["severity"]] = r["n"]
    return out


async def filings(
    conn: asyncpg.Connection, s: str, station_ids: list[str]
) -> dict[str, dict[str, int]]:
    """Organisations per station and filing status (OrgStatus), as they stand."""
    rows = await conn.fetch(
        f"""SELECT station_id, status, count(*) AS n FROM {s}.organisations
            WHERE station_id = any($1) GROUP BY 1, 2""",
        list(station_ids),
    )
    out: dict[str, dict[str, int]] = {sid: {} for sid in station_ids}
    for r in rows:
        out[r["station_id"]][r["status"]] = r["n"]
    return out

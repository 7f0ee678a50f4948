"""The figures of a set of stations over a span of days, keyed by indicator code.

Flows (visits made, needs identified, meetings held, hours served) count what happened inside
the span, so the figures of the days of a month add up to the month's; `households_visited.*`
counts distinct households and does not add up across spans, as a ledger counts them.
"""

from __future__ import annotations

import asyncpg

from shegong_stations.periods import Span

Figures = dict[str, float]


async def gather(conn: asyncpg.Connection, s: str, station_ids: list[str], span: Span) -> Figures:
    """Every indicator of the monthly report for these stations in the span, read in one snapshot."""
    out: Figures = {}
    args = (list(station_ids), span.start, span.end)
    for query in (_visits, _households, _needs, _meetings, _organisations, _volunteers):
        await query(conn, s, args, out)
    return out


def _put(out: Figures, key: str, value: float | None) -> None:
    out[key] = out.get(key, 0) + (value or 0)


async def _visits(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    """Visits made, by mode and by the household's current risk tier (the board keeps no tier
    history per visit)."""
    for r in await conn.fetch(
        f"""SELECT v.mode, coalesce(h.risk_tier, 'unassessed') AS tier, count(*) AS n
            FROM {s}.visits v LEFT JOIN {s}.households h USING (household_id)
            WHERE v.status = 'made' AND v.visited_on BETWEEN $2 AND $3 AND v.station_id = any($1)
            GROUP BY 1, 2""",
        *args,
    ):
        _put(out, "visits.total", r["n"])
        _put(out, f"visits.mode.{r['mode']}", r["n"])
        _put(out, f"visits.tier.{r['tier']}", r["n"])


async def _households(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    out["households_visited.total"] = await conn.fetchval(
        f"""SELECT count(DISTINCT household_id) FROM {s}.visits
            WHERE status = 'made' AND visited_on BETWEEN $2 AND $3 AND station_id = any($1)""",
        *args,
    )
    for r in await conn.fetch(
        f"""SELECT c, count(DISTINCT v.household_id) AS n
            FROM {s}.visits v JOIN {s}.households h USING (household_id),
                 unnest(CASE WHEN h.categories = '{{}}' THEN ARRAY['other'] ELSE h.categories END) AS c
            WHERE v.status = 'made' AND v.visited_on BETWEEN $2 AND $3 AND v.station_id = any($1)
            GROUP BY 1""",
        *args,
    ):
        out[f"households_visited.category.{r['c']}"] = r["n"]


async def _needs(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    """Identified in the span; referred (first act a referral) and resolved in the span."""
    r = await conn.fetchrow(
        f"""SELECT count(*) FILTER (WHERE identified_on BETWEEN $2 AND $3) AS identified,
                   count(*) FILTER (WHERE agency_kind IS NOT NULL AND acted_on BETWEEN $2 AND $3) AS referred,
                   count(*) FILTER (WHERE status = 'resolved' AND ended_on BETWEEN $2 AND $3) AS resolved
            FROM {s}.needs WHERE station_id = any($1)""",
        *args,
    )
    for key in ("identified", "referred", "resolved"):
        out[f"needs.{key}"] = r[key]


async def _meetings(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    for r in await conn.fetch(
        f"""SELECT kind, count(*) AS n, coalesce(sum(participants), 0) AS people FROM {s}.meetings
            WHERE status = 'held' AND on_date BETWEEN $2 AND $3 AND station_id = any($1) GROUP BY 1""",
        *args,
    ):
        _put(out, "meetings.total", r["n"])
        _put(out, "meetings.participants", r["people"])
        out[f"meetings.kind.{r['kind']}"] = r["n"]
        out[f"meetings.participants.{r['kind']}"] = r["people"]


async def _organisations(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    """Filed and approved in the span; volunteer teams as they stand (the board keeps no date of
    the conversion, so that one is a count to date, not a flow)."""
    r = await conn.fetchrow(
        f"""SELECT count(*) FILTER (WHERE filed_on BETWEEN $2 AND $3) AS filed,
                   count(*) FILTER (WHERE approved_on BETWEEN $2 AND $3) AS approved,
                   count(*) FILTER (WHERE status = 'volunteer_team' AND filed_on <= $3) AS teams
            FROM {s}.organisations WHERE station_id = any($1)""",
        *args,
    )
    out["organisations.filed"] = r["filed"]
    out["organisations.approved"] = r["approved"]
    out["organisations.volunteer_teams"] = r["teams"]


async def _volunteers(conn: asyncpg.Connection, s: str, args: tuple, out: Figures) -> None:
    out["volunteers.enrolled"] = await conn.fetchval(
        f"""SELECT count(*) FROM {s}.volunteers
            WHERE enrolled_on BETWEEN $2 AND $3 AND station_id = any($1)""",
        *args,
    )
    r = await conn.fetchrow(
        f"""SELECT count(DISTINCT volunteer_id) AS active, coalesce(sum(minutes), 0) AS minutes
            FROM {s}.volunteer_sessions WHERE started_on BETWEEN $2 AND $3 AND station_id = any($1)""",
        *args,
    )
    out["volunteers.active"] = r["active"]
    out["volunteers.minutes"] = r["minutes"]
    out["volunteers.hours"] = round(r["minutes"] / 60, 1)

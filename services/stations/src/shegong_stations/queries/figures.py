"""The figures of each station on a given day: counts that add up into district and city totals."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg

from shegong_stations.periods import month_of, week_of

NEED_ACT_DAYS = 30  # a need should be referred, resolved or closed within this many days
FILING_DAYS = 15  # a filing should be returned or approved within this many days


def empty() -> dict[str, Any]:
    return {
        "households": {"total": 0, "by_category": {}, "by_risk_tier": {}},
        "visits": {
            "this_week": 0,
            "this_month": 0,
            "overdue": 0,
            "households_visited_this_month": 0,
        },
        "needs": {"open": 0, "urgent": 0, "by_severity": {}},
        "organisations": {"total": 0, "by_status": {}},
        "meetings": {"this_month": {}, "total": {}},
        "action_items": {"open": 0, "overdue": 0, "done": 0},
        "volunteers": {
            "enrolled": 0,
            "hours_this_month": 0.0,
            "hours_total": 0.0,
            "certificates": 0,
        },
        "records": {},  # documentation checks: key -> [done, of]
    }


class Tally:
    """The figures of several stations being counted: `add` sums a value in at a path."""

    def __init__(self, station_ids: list[str]) -> None:
        self.out: dict[str, dict] = {sid: empty() for sid in station_ids}

    def add(self, sid: str, path: tuple[str, ...], value: Any) -> None:
        node = self.out[sid]
        for key in path[:-1]:
            node = node.setdefault(key, {})
        _add_into(node, {path[-1]: value})


async def figures(
    conn: asyncpg.Connection, s: str, station_ids: list[str], on: date
) -> dict[str, dict]:
    """Figures of each station in `station_ids` as of the day `on` (weeks from Monday)."""
    tally, ids = Tally(station_ids), list(station_ids)
    for count in (
        _households,
        _visits,
        _open_needs,
        _needs_in_time,
        _organisations,
        _meetings,
        _action_items,
        _volunteers,
        _sessions,
    ):
        await count(conn, s, ids, on, tally)
    return tally.out


async def _households(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    """From the counts kept as households change: by category and tier, and overdue as the
    households whose next visit fell due on a day before `on`."""
    for r in await conn.fetch(
        f"""SELECT station_id, dimension, key, n FROM {s}.household_counts
            WHERE station_id = any($1) AND n > 0 ORDER BY station_id, dimension, key""",
        ids,
    ):
        if r["dimension"] == "category":
            t.add(r["station_id"], ("households", "by_category", r["key"]), r["n"])
        else:
            t.add(r["station_id"], ("households", "by_risk_tier", r["key"]), r["n"])
            t.add(r["station_id"], ("households", "total"), r["n"])
    for r in await conn.fetch(
        f"""SELECT station_id, sum(n) AS overdue FROM {s}.household_due
            WHERE station_id = any($1) AND due_day < $2 GROUP BY 1""",
        ids,
        on,
    ):
        t.add(r["station_id"], ("visits", "overdue"), r["overdue"])


async def _visits(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    """From the days' counts and each household's first visit of the month (kept as visits
    are recorded): a read sums days, not every visit of the years."""
    week, month = week_of(on), month_of(on)
    for r in await conn.fetch(
        f"""SELECT station_id,
                   coalesce(sum(made) FILTER (WHERE day BETWEEN $2 AND $3), 0) AS week,
                   coalesce(sum(made) FILTER (WHERE day BETWEEN $4 AND $5), 0) AS month,
                   coalesce(sum(made) FILTER (WHERE day <= $6), 0) AS made,
                   coalesce(sum(observed) FILTER (WHERE day <= $6), 0) AS observed
            FROM {s}.visit_days WHERE station_id = any($1) GROUP BY 1""",
        ids,
        week.start,
        min(week.end, on),
        month.start,
        min(month.end, on),
        on,
    ):
        sid = r["station_id"]
        t.add(sid, ("visits", "this_week"), r["week"])
        t.add(sid, ("visits", "this_month"), r["month"])
        t.add(sid, ("visits", "households_visited_this_month"), 0)
        t.add(sid, ("records", "visits_with_observations"), [r["observed"], r["made"]])
    for r in await conn.fetch(
        f"""SELECT station_id, count(*) AS households FROM {s}.visit_months
            WHERE station_id = any($1) AND month = $2 AND first_day <= $3 GROUP BY 1""",
        ids,
        month.start,
        min(month.end, on),
    ):
        t.add(r["station_id"], ("visits", "households_visited_this_month"), r["households"])


async def _open_needs(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    """Needs identified by `on` and open or referred now, from the board's day counts."""
    for r in await conn.fetch(
        f"""SELECT station_id, severity, sum(open) AS n FROM {s}.need_days
            WHERE day <= $2 AND station_id = any($1) GROUP BY 1, 2 HAVING sum(open) > 0""",
        ids,
        on,
    ):
        t.add(r["station_id"], ("needs", "by_severity", r["severity"]), r["n"])
        t.add(r["station_id"], ("needs", "open"), r["n"])
        if r["severity"] == "urgent":
            t.add(r["station_id"], ("needs", "urgent"), r["n"])


async def _needs_in_time(
    conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally
) -> None:
    """Acted on within NEED_ACT_DAYS, of those acted on or older than that, by `on`."""
    for r in await conn.fetch(
        f"""SELECT station_id, sum(in_time) AS done,
                   sum(acted) + coalesce(sum(total - acted) FILTER (WHERE day <= $2::date - $3::int), 0) AS of
            FROM {s}.need_days WHERE day <= $2 AND station_id = any($1) GROUP BY 1""",
        ids,
        on,
        NEED_ACT_DAYS,
    ):
        t.add(r["station_id"], ("records", "needs_acted_in_time"), [r["done"], r["of"]])


async def _organisations(
    conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally
) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, status, count(*) AS n,
                   count(*) FILTER (WHERE decided_on IS NOT NULL AND decided_on - filed_on <= $2::int) AS in_time,
                   count(*) FILTER (WHERE decided_on IS NOT NULL OR filed_on <= $3::date - $2::int) AS due
            FROM {s}.organisations WHERE station_id = any($1) GROUP BY 1, 2""",
        ids,
        FILING_DAYS,
        on,
    ):
        t.add(r["station_id"], ("organisations", "by_status", r["status"]), r["n"])
        t.add(r["station_id"], ("organisations", "total"), r["n"])
        t.add(r["station_id"], ("records", "filings_processed_in_time"), [r["in_time"], r["due"]])


async def _meetings(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, kind, on_date >= $3 AS this_month, count(*) AS n,
                   coalesce(sum(participants), 0) AS people,
                   count(*) FILTER (WHERE outcomes <> '[]' OR resolutions > 0) AS with_outcomes,
                   count(*) FILTER (WHERE participants IS NOT NULL AND participant_groups <> '[]') AS counted,
                   count(*) FILTER (WHERE has_summary) AS summarised,
                   count(*) FILTER (WHERE topics <> '[]') AS with_topics
            FROM {s}.meetings WHERE status = 'held' AND on_date <= $2 AND station_id = any($1) GROUP BY 1, 2, 3""",
        ids,
        on,
        month_of(on).start,
    ):
        sid, kind, n = r["station_id"], r["kind"], r["n"]
        t.add(sid, ("meetings", "total", kind, "meetings"), n)
        t.add(sid, ("meetings", "total", kind, "participants"), r["people"])
        if r["this_month"]:
            t.add(sid, ("meetings", "this_month", kind, "meetings"), n)
            t.add(sid, ("meetings", "this_month", kind, "participants"), r["people"])
        t.add(sid, ("records", "meetings_with_outcomes"), [r["with_outcomes"], n])
        t.add(sid, ("records", "meetings_with_participants"), [r["counted"], n])
        t.add(sid, ("records", "meetings_with_summary"), [r["summarised"], n])
        t.add(sid, ("records", "meetings_with_topics"), [r["with_topics"], n])
        if kind == "resident_deliberation":
            t.add(sid, ("records", "deliberations_with_resolutions"), [r["with_outcomes"], n])


async def _action_items(
    conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally
) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id,
                   count(*) FILTER (WHERE done_on IS NULL OR done_on > $2) AS open,
                   count(*) FILTER (WHERE (done_on IS NULL OR done_on > $2) AND due_on < $2) AS overdue,
                   count(*) FILTER (WHERE done_on <= $2) AS done,
                   count(*) FILTER (WHERE done_on <= $2 AND done_on <= due_on) AS on_time,
                   count(*) FILTER (WHERE done_on <= $2 OR due_on < $2) AS due
            FROM {s}.action_items WHERE coalesce(assigned_on, due_on) <= $2 AND station_id = any($1) GROUP BY 1""",
        ids,
        on,
    ):
        sid = r["station_id"]
        t.add(sid, ("action_items", "open"), r["open"])
        t.add(sid, ("action_items", "overdue"), r["overdue"])
        t.add(sid, ("action_items", "done"), r["done"])
        t.add(sid, ("records", "action_items_on_time"), [r["on_time"], r["due"]])


async def _volunteers(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, count(*) AS n, coalesce(sum(certificates), 0) AS certs
            FROM {s}.volunteers WHERE enrolled_on <= $2 AND station_id = any($1) GROUP BY 1""",
        ids,
        on,
    ):
        t.add(r["station_id"], ("volunteers", "enrolled"), r["n"])
        t.add(r["station_id"], ("volunteers", "certificates"), r["certs"])


async def _sessions(conn: asyncpg.Connection, s: str, ids: list[str], on: date, t: Tally) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, coalesce(sum(minutes), 0) AS total,
                   coalesce(sum(minutes) FILTER (WHERE day >= $3), 0) AS month,
                   coalesce(sum(closed), 0) AS closed, coalesce(sum(checked_out), 0) AS checked_out
            FROM {s}.volunteer_days WHERE day <= $2 AND station_id = any($1) GROUP BY 1""",
        ids,
        on,
        month_of(on).start,
    ):
        sid = r["station_id"]
        t.add(sid, ("volunteers", "hours_total"), round(r["total"] / 60, 1))
        t.add(sid, ("volunteers", "hours_this_month"), round(r["month"] / 60, 1))
        t.add(sid, ("records", "sessions_checked_out"), [r["checked_out"], r["closed"]])


async def urgent_needs(
    conn: asyncpg.Connection, s: str, station_ids: list[str], on: date, limit: int = 50
) -> list[dict]:
    rows = await conn.fetch(
        f"""SELECT station_id, household_id, need_id, category, status, identified_on
            FROM {s}.needs WHERE severity = 'urgent' AND status IN ('open', 'referred') AND identified_on <= $2
              AND station_id = any($1) ORDER BY identified_on, household_id, need_id LIMIT $3""",
        list(station_ids),
        on,
        limit,
    )
    return [{**dict(r), "days_open": (on - r["identified_on"]).days} for r in rows]


async def latest_evaluations(
    conn: asyncpg.Connection, s: str, station_ids: list[str], on: date
) -> dict[str, dict]:
    rows = await conn.fetch(
        f"""SELECT DISTINCT ON (station_id) station_id, evaluation_id, kind, period, scores, reviewer,
                   evaluated_on, exemplary, summary, highlights
            FROM {s}.evaluations WHERE evaluated_on <= $2 AND station_id = any($1)
            ORDER BY station_id, evaluated_on DESC, evaluation_id DESC""",
        list(station_ids),
        on,
    )
    out = {}
    for r in rows:
        scores = json.loads(r["scores"])
        out[r["station_id"]] = {
            **dict(r),
            "scores": scores,
            "highlights": json.loads(r["highlights"]),
            "average": round(sum(scores.values()) / len(scores), 1) if scores else None,
        }
    return out


def merge(parts: list[dict]) -> dict:
    """District and city totals: the stations' figures added up."""
    total = empty()
    for part in parts:
        _add_into(total, part)
    return total


def _add_into(into: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _add_into(into.setdefault(key, {}), value)
        elif isinstance(value, list):
            old = into.get(key, [0] * len(value))
            into[key] = [a + b for a, b in zip(old, value)]
        else:
            into[key] = (
                round(into.get(key, 0) + value, 1)
                if isinstance(value, float)
                else into.get(key, 0) + value
            )

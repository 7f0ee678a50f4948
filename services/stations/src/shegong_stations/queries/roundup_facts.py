"""What happened in a date range at a set of stations: the raw material of the roundup."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import asyncpg

from shegong_stations.periods import Span


@dataclass
class Facts:
    visits: list[dict] = field(default_factory=list)  # per station
    policies: dict[str, dict[str, int]] = field(default_factory=dict)  # station -> policy -> visits
    needs: dict[str, int] = field(default_factory=dict)  # station -> needs found
    meetings: list[dict] = field(default_factory=list)  # each meeting held
    filings: list[dict] = field(default_factory=list)  # per station
    volunteers: list[dict] = field(default_factory=list)  # per station
    evaluations: list[dict] = field(default_factory=list)  # each evaluation recorded
    exemplary: dict[str, str] = field(
        default_factory=dict
    )  # station -> kind of its latest exemplary evaluation

    def totals(self) -> dict[str, int]:
        """The roundup's flows summed over its stations, under the monthly report's indicator
        codes: the roundups of a month's days add up to the month (a test holds them to it)."""
        out = {
            "visits.total": sum(v["visits"] for v in self.visits),
            "needs.identified": sum(self.needs.values()),
            "meetings.total": len(self.meetings),
            "meetings.participants": sum(m["participants"] or 0 for m in self.meetings),
            "organisations.filed": sum(f["filed"] for f in self.filings),
            "organisations.approved": sum(f["approved"] for f in self.filings),
            "volunteers.enrolled": sum(int(v["enrolled"]) for v in self.volunteers),
            "volunteers.minutes": sum(int(v["minutes"]) for v in self.volunteers),
        }
        for m in self.meetings:
            out[f"meetings.kind.{m['kind']}"] = out.get(f"meetings.kind.{m['kind']}", 0) + 1
        return out


async def gather(conn: asyncpg.Connection, s: str, station_ids: list[str], span: Span) -> Facts:
    """Everything the roundup says about these stations in the span, read in one snapshot."""
    ids = list(station_ids)
    facts = Facts()
    for collect in (
        _visits,
        _policies,
        _needs,
        _meetings,
        _filings,
        _volunteers,
        _evaluations,
        _exemplary,
    ):
        await collect(conn, s, ids, span, facts)
    return facts


async def _visits(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    rows = await conn.fetch(
        f"""SELECT station_id, count(*) AS visits, count(DISTINCT household_id) AS households,
               count(*) FILTER (WHERE mode = 'home_visit') AS home_visits,
               count(*) FILTER (WHERE mode = 'verification') AS verifications,
               count(*) FILTER (WHERE mode = 'phone') AS calls,
               count(*) FILTER (WHERE 'policy_briefing' = any(services)) AS briefings,
               count(*) FILTER (WHERE 'counselling' = any(services)) AS counselling,
               count(*) FILTER (WHERE 'resource_linking' = any(services)) AS resource_linking,
               count(*) FILTER (WHERE 'application_help' = any(services)) AS application_help,
               coalesce(sum(volunteers), 0) AS volunteers
        FROM {s}.visits WHERE status = 'made' AND visited_on BETWEEN $2 AND $3 AND station_id = any($1)
        GROUP BY 1 ORDER BY 1""",
        ids,
        span.start,
        span.end,
    )
    facts.visits = [dict(r) for r in rows]


async def _policies(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, p, count(*) AS n FROM {s}.visits, unnest(policies) AS p
            WHERE status = 'made' AND visited_on BETWEEN $2 AND $3 AND station_id = any($1) GROUP BY 1, 2""",
        ids,
        span.start,
        span.end,
    ):
        facts.policies.setdefault(r["station_id"], {})[r["p"]] = r["n"]


async def _needs(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, count(*) AS n FROM {s}.needs
            WHERE identified_on BETWEEN $2 AND $3 AND station_id = any($1) GROUP BY 1""",
        ids,
        span.start,
        span.end,
    ):
        facts.needs[r["station_id"]] = r["n"]


async def _meetings(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    for r in await conn.fetch(
        f"""SELECT meeting_id, station_id, kind, title, theme, on_date, format, participants, participant_groups,
                   co_organisers, topics, outcomes, model_station_id, issues, resolutions
            FROM {s}.meetings WHERE status = 'held' AND on_date BETWEEN $2 AND $3 AND station_id = any($1)
            ORDER BY on_date, station_id, meeting_id""",
        ids,
        span.start,
        span.end,
    ):
        row = dict(r)
        for key in ("participant_groups", "co_organisers", "topics", "outcomes"):
            row[key] = json.loads(row[key])
        facts.meetings.append(row)


async def _filings(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    rows = await conn.fetch(
        f"""SELECT station_id, count(*) FILTER (WHERE filed_on BETWEEN $2 AND $3) AS filed,
               count(*) FILTER (WHERE approved_on BETWEEN $2 AND $3) AS approved
        FROM {s}.organisations WHERE station_id = any($1) GROUP BY 1
        HAVING count(*) FILTER (WHERE filed_on BETWEEN $2 AND $3 OR approved_on BETWEEN $2 AND $3) > 0
        ORDER BY 1""",
        ids,
        span.start,
        span.end,
    )
    facts.filings = [dict(r) for r in rows]


async def _volunteers(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    rows = await conn.fetch(
        f"""SELECT station_id, sum(enrolled) AS enrolled, sum(minutes) AS minutes FROM (
            SELECT station_id, count(*) AS enrolled, 0 AS minutes FROM {s}.volunteers
            WHERE enrolled_on BETWEEN $2 AND $3 AND station_id = any($1) GROUP BY 1
            UNION ALL
            SELECT station_id, 0, coalesce(sum(minutes), 0) FROM {s}.volunteer_days
            WHERE day BETWEEN $2 AND $3 AND station_id = any($1) GROUP BY 1
        ) t GROUP BY 1 HAVING sum(enrolled) > 0 OR sum(minutes) > 0 ORDER BY 1""",
        ids,
        span.start,
        span.end,
    )
    facts.volunteers = [dict(r) for r in rows]


async def _evaluations(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    for r in await conn.fetch(
        f"""SELECT station_id, kind, period, scores, evaluated_on, exemplary, reviewer FROM {s}.evaluations
            WHERE evaluated_on BETWEEN $2 AND $3 AND station_id = any($1) ORDER BY evaluated_on, station_id""",
        ids,
        span.start,
        span.end,
    ):
        facts.evaluations.append({**dict(r), "scores": json.loads(r["scores"])})


async def _exemplary(
    conn: asyncpg.Connection, s: str, ids: list[str], span: Span, facts: Facts
) -> None:
    """Every station's latest evaluation, in or out of scope: a model station may lie outside."""
    for r in await conn.fetch(
        f"""SELECT DISTINCT ON (station_id) station_id, kind, exemplary FROM {s}.evaluations
            WHERE evaluated_on <= $1 ORDER BY station_id, evaluated_on DESC, evaluation_id DESC""",
        span.end,
    ):
        if r["exemplary"]:
            facts.exemplary[r["station_id"]] = r["kind"]

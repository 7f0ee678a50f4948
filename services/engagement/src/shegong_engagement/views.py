"""Queries over the engagement read models. Rows come back with sealed fields still sealed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg
from shegong_runtime import generations
from shegong_runtime.service import Runtime

from shegong_engagement.projections import EngagementViews

JSON_COLUMNS = {
    "co_organisers",
    "planned_topics",
    "participant_groups",
    "topics",
    "outcomes",
    "quorum_rule",
    "skills",
    "session_ids",
}


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {
        k: json.loads(v) if k in JSON_COLUMNS and v is not None else v for k, v in record.items()
    }


async def _schema(rt: Runtime) -> str:
    return await generations.live_schema(rt.pool, EngagementViews.name)


async def _fetch(rt: Runtime, sql: str, *args: Any) -> list[dict[str, Any]]:
    s = await _schema(rt)
    return [_row(r) for r in await rt.pool.fetch(sql.format(s=s), *args)]


async def meetings(
    rt: Runtime,
    station_id: str | None,
    kind: str | None,
    status: str | None,
    held_from: date | None,
    held_to: date | None,
) -> list[dict[str, Any]]:
    return await _fetch(
        rt,
        "SELECT * FROM {s}.meetings WHERE ($1::text IS NULL OR station_id = $1) "
        "AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR status = $3) "
        "AND ($4::date IS NULL OR held_on >= $4) AND ($5::date IS NULL OR held_on <= $5) "
        "ORDER BY coalesce(held_on, scheduled_on), meeting_id",
        station_id,
        kind,
        status,
        held_from,
        held_to,
    )


async def meetings_by_kind(rt: Runtime, station_id: str | None) -> list[dict[str, Any]]:
    return await _fetch(
        rt,
        "SELECT station_id, kind, count(*) FILTER (WHERE status = 'scheduled') AS scheduled, "
        "count(*) FILTER (WHERE status = 'held') AS held, "
        "count(*) FILTER (WHERE status = 'cancelled') AS cancelled, "
        "coalesce(sum(participants_total) FILTER (WHERE status = 'held'), 0) AS participants "
        "FROM {s}.meetings WHERE ($1::text IS NULL OR station_id = $1) "
        "GROUP BY station_id, kind ORDER BY station_id, kind",
        station_id,
    )


async def _row_with_children(
    rt: Runtime,
    table: str,
    key: str,
    key_id: str,
    station_id: str,
    children: dict[str, tuple[str, str]],
) -> dict[str, Any] | None:
    """One row of `table` at the station, with the rows of its child tables under their names.

    `children` maps a name to (child table, ORDER BY); child rows share the parent's `key`.
    """
    found = await _fetch(
        rt, f"SELECT * FROM {{s}}.{table} WHERE {key} = $1 AND station_id = $2", key_id, station_id
    )
    if not found:
        return None
    row = found[0]
    for name, (child, order) in children.items():
        row[name] = await _fetch(
            rt, f"SELECT * FROM {{s}}.{child} WHERE {key} = $1 ORDER BY {order}", key_id
        )
    return row


async def meeting(rt: Runtime, station_id: str, meeting_id: str) -> dict[str, Any] | None:
    return await _row_with_children(
        rt,
        "meetings",
        "meeting_id",
        meeting_id,
        station_id,
        {
            "issues": ("issues", "proposed_on, issue_id"),
            "motions": ("motions", "voted_on, motion_id"),
            "resolutions": ("resolutions", "adopted_on, resolution_id"),
            "action_items": ("action_items", "due_on, action_id"),
        },
    )


async def action_items(
    rt: Runtime, station_id: str | None, status: str, as_of: date
) -> list[dict[str, Any]]:
    """open: not done; overdue: not done and due before `as_of`; done; all."""
    rows = await _fetch(
        rt,
        "SELECT a.*, m.title AS meeting_title, m.kind AS meeting_kind FROM {s}.action_items a "
        "JOIN {s}.meetings m USING (meeting_id) WHERE ($1::text IS NULL OR a.station_id = $1) "
        "AND CASE $2::text WHEN 'open' THEN a.done_on IS NULL "
        "WHEN 'overdue' THEN a.done_on IS NULL AND a.due_on < $3 "
        "WHEN 'done' THEN a.done_on IS NOT NULL ELSE true END "
        "ORDER BY a.due_on, a.meeting_id, a.action_id",
        station_id,
        status,
        as_of,
    )
    for row in rows:
        row["overdue"] = row["done_on"] is None and row["due_on"] < as_of
        row["days_overdue"] = (as_of - row["due_on"]).days if row["overdue"] else 0
    return rows


async def volunteers(rt: Runtime, station_id: str | None) -> list[dict[str, Any]]:
    return await _fetch(
        rt,
        "SELECT * FROM {s}.volunteers WHERE ($1::text IS NULL OR station_id = $1) ORDER BY station_id, volunteer_id",
        station_id,
    )


async def volunteer(rt: Runtime, station_id: str, volunteer_id: str) -> dict[str, Any] | None:
    return await _row_with_children(
        rt,
        "volunteers",
        "volunteer_id",
        volunteer_id,
        station_id,
        {
            "trainings_attended": ("trainings", "attended_on"),
            "service_sessions": ("sessions", "checked_in_at"),
            "certificates_issued": ("certificates", "issued_on"),
        },
    )


async def hours_by_station(rt: Runtime, station_id: str | None) -> list[dict[str, Any]]:
    return await _fetch(
        rt,
        "SELECT station_id, count(*) AS volunteers, sum(sessions)::int AS sessions, sum(minutes)::int AS minutes, "
        "round(sum(minutes) / 60.0, 2)::float AS hours, sum(auto_closed_sessions)::int AS auto_closed_sessions, "
        "sum(certified_minutes)::int AS certified_minutes, sum(trainings)::int AS trainings, "
        "count(open_session_id)::int AS open_sessions FROM {s}.volunteers "
        "WHERE ($1::text IS NULL OR station_id = $1) GROUP BY station_id ORDER BY station_id",
        station_id,
    )


async def sessions_table_exists(rt: Runtime) -> bool:
    s = await _schema(rt)
    return await rt.pool.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{s}.sessions")


async def open_sessions_before(rt: Runtime, cutoff: Any) -> list[dict[str, Any]]:
    """Sessions the read model still shows open that began before `cutoff` (for the sweeper)."""
    return await _fetch(
        rt,
        "SELECT volunteer_id, station_id, session_id, checked_in_at FROM {s}.sessions "
        "WHERE checked_out_at IS NULL AND checked_in_at < $1 ORDER BY checked_in_at LIMIT 500",
        cutoff,
    )


async def certificate(rt: Runtime, number: str) -> dict[str, Any] | None:
    s = await _schema(rt)
    stations = await generations.live_schema(rt.pool, rt.stations.projection.name)
    record = await rt.pool.fetchrow(
        f"SELECT c.*, st.name AS station_name, v.name_sealed FROM {s}.certificates c "
        f"LEFT JOIN {stations}.stations st USING (station_id) "
        f"LEFT JOIN {s}.volunteers v USING (volunteer_id) WHERE c.certificate_number = $1",
        number,
    )
    return _row(record) if record else None

"""Queries over the engagement read models. Rows come back with sealed fields still sealed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg
from shegong_runtime import generations, paging
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


MEETING_DAY = "coalesce(held_on, scheduled_on, DATE '1900-01-01')"


def _meetings_keyset(stations: list[str] | None, newest_first: bool) -> paging.Keyset:
    keys: tuple[paging.Key, ...] = (
        paging.Key(MEETING_DAY, "meeting_day", "date"),
        paging.Key("meeting_id", "meeting_id", "text"),
    )
    if stations is not None and len(stations) == 1:
        keys = (paging.Key("station_id", "station_id", "text"), *keys)
    return paging.Keyset("meetings", keys, descending=newest_first)


async def meetings(
    rt: Runtime,
    page: paging.PageRequest,
    stations: list[str] | None,
    kind: str | None,
    status: str | None,
    held_from: date | None,
    held_to: date | None,
    newest_first: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of meetings by the day they were (or are to be) held."""
    s = await _schema(rt)
    select = (
        paging.Select(f"SELECT *, {MEETING_DAY} AS meeting_day FROM {s}.meetings")
        .within(stations)
        .when(kind, "kind = {}")
        .when(status, "status = {}")
        .when(held_from, "held_on >= {}")
        .when(held_to, "held_on <= {}")
    )
    rows, after = await select.page(rt.pool, _meetings_keyset(stations, newest_first), page)
    return [{k: v for k, v in _row(r).items() if k != "meeting_day"} for r in rows], after


async def meetings_by_kind(
    rt: Runtime, page: paging.PageRequest, stations: list[str] | None
) -> tuple[list[dict[str, Any]], str | None]:
    s = await _schema(rt)
    select = paging.Select(
        "SELECT station_id, kind, count(*) FILTER (WHERE status = 'scheduled') AS scheduled, "
        "count(*) FILTER (WHERE status = 'held') AS held, "
        "count(*) FILTER (WHERE status = 'cancelled') AS cancelled, "
        "coalesce(sum(participants_total) FILTER (WHERE status = 'held'), 0) AS participants "
        f"FROM {s}.meetings",
        group_by="station_id, kind",
    ).within(stations)
    rows, after = await select.page(rt.pool, BY_KIND, page)
    return [_row(r) for r in rows], after


BY_KIND = paging.Keyset.of("meetings_by_kind", "station_id:text", "kind:text")
BY_STATION = paging.Keyset.of("by_station", "station_id:text")
VOLUNTEERS = paging.Keyset.of("volunteers", "station_id:text", "volunteer_id:text")
ACTION_ITEMS = paging.Keyset.of(
    "action_items", "a.due_on:date", "a.meeting_id:text", "a.action_id:text"
)
ACTION_ITEMS_AT_STATION = paging.Keyset.of(
    "action_items", "a.station_id:text", "a.due_on:date", "a.meeting_id:text", "a.action_id:text"
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
    rt: Runtime, page: paging.PageRequest, stations: list[str] | None, status: str, as_of: date
) -> tuple[list[dict[str, Any]], str | None]:
    """open: not done; overdue: not done and due before `as_of`; done; all."""
    s = await _schema(rt)
    select = paging.Select(
        f"SELECT a.*, m.title AS meeting_title, m.kind AS meeting_kind FROM {s}.action_items a "
        f"JOIN {s}.meetings m USING (meeting_id)"
    ).within(stations, "a.station_id")
    if status == "open":
        select.where("a.done_on IS NULL")
    elif status == "overdue":
        select.where("a.done_on IS NULL AND a.due_on < {}", as_of)
    elif status == "done":
        select.where("a.done_on IS NOT NULL")
    single = stations is not None and len(stations) == 1
    found, after = await select.page(
        rt.pool, ACTION_ITEMS_AT_STATION if single else ACTION_ITEMS, page
    )
    rows = [_row(r) for r in found]
    for row in rows:
        row["overdue"] = row["done_on"] is None and row["due_on"] < as_of
        row["days_overdue"] = (as_of - row["due_on"]).days if row["overdue"] else 0
    return rows, after


async def volunteers(
    rt: Runtime, page: paging.PageRequest, stations: list[str] | None
) -> tuple[list[dict[str, Any]], str | None]:
    s = await _schema(rt)
    select = paging.Select(f"SELECT * FROM {s}.volunteers").within(stations)
    rows, after = await select.page(rt.pool, VOLUNTEERS, page)
    return [_row(r) for r in rows], after


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


async def hours_by_station(
    rt: Runtime, page: paging.PageRequest, stations: list[str] | None
) -> tuple[list[dict[str, Any]], str | None]:
    s = await _schema(rt)
    select = paging.Select(
        "SELECT station_id, count(*) AS volunteers, sum(sessions)::int AS sessions, sum(minutes)::int AS minutes, "
        "round(sum(minutes) / 60.0, 2)::float AS hours, sum(auto_closed_sessions)::int AS auto_closed_sessions, "
        "sum(certified_minutes)::int AS certified_minutes, sum(trainings)::int AS trainings, "
        f"count(open_session_id)::int AS open_sessions FROM {s}.volunteers",
        group_by="station_id",
    ).within(stations)
    rows, after = await select.page(rt.pool, BY_STATION, page)
    return [_row(r) for r in rows], after


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

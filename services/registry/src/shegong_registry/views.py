"""Queries over the registry's own read models (eventually consistent with the event store)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import asyncpg
from shegong_runtime import generations, paging
from shegong_runtime.service import Runtime

from shegong_registry.projections import Evaluations, Organisations

ORGANISATIONS, EVALUATIONS = Organisations(), Evaluations()
SUMMARY = (
    "organisation_id, station_id, name, category, community, status, filing_number, members, volunteers, "
    "filed_at, pending_since, approved_at, deregistered_at, updated_at, version"
)


def _row(record: asyncpg.Record, *jsonb: str) -> dict:
    """A record as a dict, its jsonb columns decoded."""
    row = dict(record)
    for column in jsonb:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    return row


async def _schema(rt: Runtime, name: str) -> str:
    return await generations.live_schema(rt.pool, name)


async def _fetch(rt: Runtime, sql: str, *args: object) -> list[asyncpg.Record]:
    """Rows of a read model; none while its tables are still being made at start."""
    try:
        return await rt.pool.fetch(sql, *args)
    except asyncpg.UndefinedTableError:
        return []


STATIONS = paging.Keyset.of("stations", "district_id:text", "station_id:text")
ORGS = paging.Keyset.of("organisations", "filed_at:timestamptz", "organisation_id:text")
ORG_TIMELINE = paging.Keyset.of("organisation_timeline", "version:integer")
PENDING = paging.Keyset.of("pending_filings", "pending_since:timestamptz", "organisation_id:text")
EVALUATIONS_ORDER = paging.Keyset.of(
    "evaluations", "e.period:text", "e.total:float8", "e.evaluation_id:text", descending=True
)


async def _page(
    rt: Runtime, select: paging.Select, keyset: paging.Keyset, page: paging.PageRequest
) -> tuple[list[asyncpg.Record], str | None]:
    """A page of a read model; empty while its tables are still being made at start."""
    try:
        return await select.page(rt.pool, keyset, page)
    except asyncpg.UndefinedTableError:
        return [], None


async def stations(
    rt: Runtime, page: paging.PageRequest, scope: list[str] | None
) -> tuple[list[dict], str | None]:
    schema = await _schema(rt, rt.stations.projection.name)
    select = paging.Select(f"SELECT * FROM {schema}.stations").within(scope)
    rows, after = await _page(rt, select, STATIONS, page)
    return [dict(r) for r in rows], after


async def organisations(
    rt: Runtime, page: paging.PageRequest, station_id: str, status: str | None
) -> tuple[list[dict], str | None]:
    """A page of a station's organisations, in order of filing."""
    s = await _schema(rt, ORGANISATIONS.name)
    select = (
        paging.Select(f"SELECT {SUMMARY} FROM {s}.organisations")
        .where("station_id = {}", station_id)
        .when(status, "status = {}")
    )
    rows, after = await _page(rt, select, ORGS, page)
    return [dict(r) for r in rows], after


async def organisation_counts(rt: Runtime, station_id: str) -> dict[str, int]:
    """A station's organisations per status (an index-only count)."""
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt,
        f"SELECT status, count(*) AS n FROM {s}.organisations WHERE station_id = $1 GROUP BY status",
        station_id,
    )
    return {r["status"]: r["n"] for r in rows}


async def organisation(rt: Runtime, organisation_id: str) -> dict | None:
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt, f"SELECT * FROM {s}.organisations WHERE organisation_id = $1", organisation_id
    )
    return _row(rows[0], "return_reasons") if rows else None


async def timeline(
    rt: Runtime, organisation_id: str, page: paging.PageRequest
) -> tuple[list[dict], str | None]:
    s = await _schema(rt, ORGANISATIONS.name)
    select = paging.Select(
        "SELECT version, event_type, occurred_at, recorded_at, actor, details "
        f"FROM {s}.org_timeline"
    ).where("organisation_id = {}", organisation_id)
    rows, after = await _page(rt, select, ORG_TIMELINE, page)
    return [_row(r, "details") for r in rows], after


async def pending_longer_than(
    rt: Runtime,
    page: paging.PageRequest,
    days: int,
    as_of: datetime,
    stations: list[str] | None,
) -> tuple[list[dict], str | None]:
    """Filings waiting for review since before `as_of - days`, oldest first; `stations` None = all."""
    s = await _schema(rt, ORGANISATIONS.name)
    select = (
        paging.Select(f"SELECT {SUMMARY} FROM {s}.organisations")
        .where("status = 'pending' AND pending_since <= {}", as_of - timedelta(days=days))
        .within(stations)
    )
    rows, after = await _page(rt, select, PENDING, page)
    return [{**dict(r), "days_pending": (as_of - r["pending_since"]).days} for r in rows], after


async def evaluations(
    rt: Runtime,
    page: paging.PageRequest,
    district_id: str,
    period: str | None,
    stations: list[str] | None,
) -> tuple[list[dict], str | None]:
    """A district's evaluations, the latest period first and the best total first within it."""
    s = await _schema(rt, EVALUATIONS.name)
    known = await _schema(rt, rt.stations.projection.name)
    select = (
        paging.Select(
            f"SELECT e.*, st.name AS station_name FROM {s}.evaluations e "
            f"LEFT JOIN {known}.stations st ON st.station_id = e.station_id"
        )
        .where("e.district_id = {}", district_id)
        .when(period, "e.period = {}")
        .within(stations, "e.station_id")
    )
    rows, after = await _page(rt, select, EVALUATIONS_ORDER, page)
    return [_row(r, "highlights") for r in rows], after

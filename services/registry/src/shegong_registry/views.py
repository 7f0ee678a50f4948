"""Queries over the registry's own read models (eventually consistent with the event store)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta

import asyncpg
from shegong_runtime import generations
from shegong_runtime.service import Runtime

from shegong_registry.projections import Evaluations, Organisations

ORGANISATIONS, EVALUATIONS = Organisations(), Evaluations()
SUMMARY = (
    "organisation_id, station_id, name, category, community, status, filing_number, members, volunteers, "
    "filed_at, pending_since, approved_at, deregistered_at, updated_at, version"
)


def _row(record: object, *jsonb: str) -> dict:
    """A record as a dict, its jsonb columns decoded."""
    row = dict(record)  # type: ignore[call-overload]
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


async def stations(rt: Runtime) -> list[dict]:
    schema = await _schema(rt, rt.stations.projection.name)
    rows = await _fetch(rt, f"SELECT * FROM {schema}.stations ORDER BY district_id, station_id")
    return [dict(r) for r in rows]


async def organisations(rt: Runtime, station_id: str) -> list[dict]:
    """Every organisation of a station (one snapshot, so lists and counts agree)."""
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt,
        f"SELECT {SUMMARY} FROM {s}.organisations WHERE station_id = $1 ORDER BY filed_at, organisation_id",
        station_id,
    )
    return [dict(r) for r in rows]


async def organisation(rt: Runtime, organisation_id: str) -> dict | None:
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt, f"SELECT * FROM {s}.organisations WHERE organisation_id = $1", organisation_id
    )
    return _row(rows[0], "return_reasons") if rows else None


async def timeline(rt: Runtime, organisation_id: str) -> list[dict]:
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt,
        f"SELECT version, event_type, occurred_at, recorded_at, actor, details FROM {s}.org_timeline "
        "WHERE organisation_id = $1 ORDER BY version",
        organisation_id,
    )
    return [_row(r, "details") for r in rows]


async def pending_longer_than(
    rt: Runtime, days: int, as_of: datetime, stations: Collection[str] | None
) -> list[dict]:
    """Filings waiting for review since before `as_of - days`, oldest first; `stations` None = all."""
    s = await _schema(rt, ORGANISATIONS.name)
    rows = await _fetch(
        rt,
        f"SELECT {SUMMARY} FROM {s}.organisations WHERE status = 'pending' AND pending_since <= $1 "
        "AND ($2::text[] IS NULL OR station_id = ANY($2)) ORDER BY pending_since, organisation_id",
        as_of - timedelta(days=days),
        None if stations is None else list(stations),
    )
    return [{**dict(r), "days_pending": (as_of - r["pending_since"]).days} for r in rows]


async def evaluations(rt: Runtime, district_id: str, period: str | None = None) -> list[dict]:
    s = await _schema(rt, EVALUATIONS.name)
    known = await _schema(rt, rt.stations.projection.name)
    rows = await _fetch(
        rt,
        f"SELECT e.*, st.name AS station_name FROM {s}.evaluations e "
        f"LEFT JOIN {known}.stations st ON st.station_id = e.station_id "
        "WHERE e.district_id = $1 AND ($2::text IS NULL OR e.period = $2) "
        "ORDER BY e.period DESC, e.total DESC, e.station_id",
        district_id,
        period,
    )
    return [_row(r, "highlights") for r in rows]

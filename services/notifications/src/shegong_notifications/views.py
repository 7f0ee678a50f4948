"""Queries over the service's own tables, for the HTTP API."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_runtime import paging

from shegong_notifications.tables import S


def _plain(row: asyncpg.Record) -> dict[str, Any]:
    out = {}
    for k, v in dict(row).items():
        out[k] = (
            str(v)
            if k in ("delivery_id", "source_event_id", "correlation_id") and v is not None
            else v
        )
    return out


def _rule(row: asyncpg.Record) -> dict[str, Any]:
    return {
        **json.loads(row["definition"]),
        "created_at": row["created_at"],
        "disabled_at": row["disabled_at"],
        "active": row["disabled_at"] is None,
    }


async def rules(
    pool: asyncpg.Pool, station_id: str | None, district_id: str | None
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT * FROM {S}.rules WHERE ($1::text IS NULL OR (scope = 'station' AND scope_id = $1)) "
        "AND ($2::text IS NULL OR (scope = 'district' AND scope_id = $2)) ORDER BY created_at",
        station_id,
        district_id,
    )
    return [_rule(r) for r in rows]


async def rule(pool: asyncpg.Pool, rule_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"SELECT * FROM {S}.rules WHERE rule_id = $1", rule_id)
    return None if row is None else _rule(row)


async def recipient(
    db: asyncpg.Pool | asyncpg.Connection, recipient_id: str, include_removed: bool = False
) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT * FROM {S}.recipients WHERE recipient_id = $1 AND ($2 OR removed_at IS NULL)",
        recipient_id,
        include_removed,
    )


async def recipients(
    pool: asyncpg.Pool, station_id: str | None, district_id: str | None
) -> list[asyncpg.Record]:
    return await pool.fetch(
        f"SELECT * FROM {S}.recipients WHERE removed_at IS NULL "
        "AND ($1::text IS NULL OR station_id = $1) AND ($2::text IS NULL OR district_id = $2) "
        "ORDER BY district_id, station_id NULLS FIRST, recipient_id",
        station_id,
        district_id,
    )


async def subscriptions(pool: asyncpg.Pool, recipient_ids: list[str]) -> dict[str, dict[str, str]]:
    rows = await pool.fetch(
        f"SELECT * FROM {S}.subscriptions WHERE recipient_id = ANY($1::text[])", recipient_ids
    )
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["recipient_id"], {})[r["topic"]] = r["channel"]
    return out


RULES = paging.Keyset.of("rules", "created_at:timestamptz", "rule_id:text")
TEMPLATES_ORDER = paging.Keyset.of("templates", "template_id:text")
RECIPIENTS = paging.Keyset.of("recipients", "recipient_id:text")
INBOX = paging.Keyset.of("inbox", "created_at:timestamptz", "delivery_id:uuid", descending=True)
DELIVERIES = paging.Keyset.of(
    "deliveries", "planned_at:timestamptz", "delivery_id:uuid", descending=True
)
DELIVERIES_AT_STATION = paging.Keyset.of(
    "deliveries", "station_id:text", "planned_at:timestamptz", "delivery_id:uuid", descending=True
)
REMINDERS = paging.Keyset.of("reminders", "fire_at:timestamptz", "reminder_id:uuid")
REMINDERS_AT_STATION = paging.Keyset.of(
    "reminders", "station_id:text", "fire_at:timestamptz", "reminder_id:uuid"
)


async def inbox(
    pool: asyncpg.Pool, page: paging.PageRequest, recipient_id: str, unread_only: bool
) -> tuple[list[dict[str, Any]], str | None]:
    select = paging.Select(
        f"SELECT delivery_id, station_id, title, body, created_at, read_at FROM {S}.inbox"
    ).where("recipient_id = {}", recipient_id)
    if unread_only:
        select.where("read_at IS NULL")
    rows, after = await select.page(pool, INBOX, page)
    return [_plain(r) for r in rows], after


async def inbox_item(
    db: asyncpg.Pool | asyncpg.Connection, delivery_id: Any
) -> asyncpg.Record | None:
    return await db.fetchrow(f"SELECT * FROM {S}.inbox WHERE delivery_id = $1", delivery_id)


DELIVERY_COLUMNS = (
    "delivery_id, rule_id, source_event_id, source_event_type, recipient_id, station_id, template_id, channel, "
    "title, status, attempts, next_attempt_at, last_error, planned_at, sent_at"
)


async def deliveries(
    pool: asyncpg.Pool,
    page: paging.PageRequest,
    station_id: str | None,
    status: str | None,
    rule_id: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    select = (
        paging.Select(f"SELECT {DELIVERY_COLUMNS} FROM {S}.deliveries")
        .when(station_id, "station_id = {}")
        .when(status, "status = {}")
        .when(rule_id, "rule_id = {}")
    )
    keyset = DELIVERIES if station_id is None else DELIVERIES_AT_STATION
    rows, after = await select.page(pool, keyset, page)
    return [_plain(r) for r in rows], after


async def delivery_view(pool: asyncpg.Pool, delivery_id: Any) -> dict[str, Any] | None:
    """One delivery as the audit view lists it."""
    row = await pool.fetchrow(
        f"SELECT {DELIVERY_COLUMNS} FROM {S}.deliveries WHERE delivery_id = $1", delivery_id
    )
    return None if row is None else _plain(row)


async def delivery(
    db: asyncpg.Pool | asyncpg.Connection, delivery_id: Any
) -> asyncpg.Record | None:
    return await db.fetchrow(f"SELECT * FROM {S}.deliveries WHERE delivery_id = $1", delivery_id)


async def reminders(
    pool: asyncpg.Pool, page: paging.PageRequest, station_id: str | None, status: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    select = (
        paging.Select(
            "SELECT reminder_id, rule_id, source_event_id, subject_key, station_id, fire_at, "
            f"status, fired_at FROM {S}.timers"
        )
        .when(station_id, "station_id = {}")
        .when(status, "status = {}")
    )
    keyset = REMINDERS if station_id is None else REMINDERS_AT_STATION
    rows, after = await select.page(pool, keyset, page)
    return [
        {
            **dict(r),
            "reminder_id": str(r["reminder_id"]),
            "source_event_id": str(r["source_event_id"]),
        }
        for r in rows
    ], after

"""Queries over the service's own tables, for the HTTP API."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

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


async def inbox(
    pool: asyncpg.Pool, recipient_id: str, unread_only: bool, limit: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT delivery_id, station_id, title, body, created_at, read_at FROM {S}.inbox "
        "WHERE recipient_id = $1 AND (NOT $2 OR read_at IS NULL) ORDER BY created_at DESC LIMIT $3",
        recipient_id,
        unread_only,
        limit,
    )
    return [_plain(r) for r in rows]


async def inbox_item(
    db: asyncpg.Pool | asyncpg.Connection, delivery_id: Any
) -> asyncpg.Record | None:
    return await db.fetchrow(f"SELECT * FROM {S}.inbox WHERE delivery_id = $1", delivery_id)


DELIVERY_COLUMNS = (
    "delivery_id, rule_id, source_event_id, source_event_type, recipient_id, station_id, template_id, channel, "
    "title, status, attempts, next_attempt_at, last_error, planned_at, sent_at"
)


async def deliveries(
    pool: asyncpg.Pool, station_id: str | None, status: str | None, rule_id: str | None, limit: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT {DELIVERY_COLUMNS} "
        f"FROM {S}.deliveries WHERE ($1::text IS NULL OR station_id = $1) "
        "AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR rule_id = $3) "
        "ORDER BY planned_at DESC LIMIT $4",
        station_id,
        status,
        rule_id,
        limit,
    )
    return [_plain(r) for r in rows]


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
    pool: asyncpg.Pool, station_id: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT reminder_id, rule_id, source_event_id, subject_key, station_id, fire_at, status, fired_at "
        f"FROM {S}.timers WHERE ($1::text IS NULL OR station_id = $1) AND ($2::text IS NULL OR status = $2) "
        "ORDER BY fire_at LIMIT $3",
        station_id,
        status,
        limit,
    )
    return [
        {
            **dict(r),
            "reminder_id": str(r["reminder_id"]),
            "source_event_id": str(r["source_event_id"]),
        }
        for r in rows
    ]

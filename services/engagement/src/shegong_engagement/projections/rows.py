"""Writing a row from an event's fields: the read models' columns carry the events' field names."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_events import Envelope


def _value(v: Any) -> Any:
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, list | dict) else v


def ids(env: Envelope) -> dict[str, str]:
    """The aggregate's id under its own name (`meeting_id`, `volunteer_id`) and the station's."""
    return {f"{env.aggregate_type}_id": env.aggregate_id, "station_id": env.station_id}


async def insert(conn: asyncpg.Connection, table: str, row: dict[str, Any]) -> None:
    marks = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", *map(_value, row.values())
    )


async def update(
    conn: asyncpg.Connection, table: str, key: dict[str, Any], row: dict[str, Any]
) -> None:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(row, 1))
    where = " AND ".join(f"{c} = ${i}" for i, c in enumerate(key, len(row) + 1))
    await conn.execute(
        f"UPDATE {table} SET {sets} WHERE {where}", *map(_value, [*row.values(), *key.values()])
    )

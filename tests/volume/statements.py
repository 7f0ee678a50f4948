"""Every statement a request runs, with its arguments: asyncpg's query methods wrapped while a
request is recorded (a context variable, so the relay's and projections' work beside it is
not), then each SELECT explained as PostgreSQL would run it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.connection import Connection

_recording: ContextVar[list[tuple[str, tuple[Any, ...]]] | None] = ContextVar(
    "volume_recording", default=None
)
METHODS = ("fetch", "fetchrow", "fetchval", "execute")


def install(monkeypatch) -> None:
    """Wrap the query methods of every asyncpg connection (pools delegate to them)."""
    for name in METHODS:
        original = getattr(Connection, name)

        def wrapped(self, query, *args, __original=original, **kwargs):
            if (seen := _recording.get()) is not None:
                seen.append((query, args))
            return __original(self, query, *args, **kwargs)

        monkeypatch.setattr(Connection, name, wrapped)


@contextmanager
def recording() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    seen: list[tuple[str, tuple[Any, ...]]] = []
    token = _recording.set(seen)
    try:
        yield seen
    finally:
        _recording.reset(token)


def is_read(query: str) -> bool:
    head = query.lstrip().split(None, 1)[0].lower() if query.strip() else ""
    return head in ("select", "with")


@dataclass(frozen=True)
class SeqScan:
    relation: str
    rows: float


def seq_scans(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(schema, relation) of every sequential scan in a JSON plan."""
    if plan.get("Node Type") == "Seq Scan":
        yield plan.get("Schema", ""), plan.get("Relation Name", "")
    for child in plan.get("Plans", ()):
        yield from seq_scans(child)


async def unavoidable_seq_scans(
    conn: asyncpg.Connection, query: str, args: tuple[Any, ...], sizes: dict[str, float], large: int
) -> list[SeqScan]:
    """Sequential scans over tables of more than `large` rows that remain when the planner is
    told to avoid them (`enable_seqscan = off`): no index can serve that part of the statement,
    so its cost grows with the table whatever the data's shape. Judged this way, a small loaded
    history (where a station is a third of a table and a scan is rightly cheaper) still shows
    what a city's year would meet."""
    async with conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        raw = await Connection.fetchval(conn, f"EXPLAIN (FORMAT JSON, VERBOSE) {query}", *args)
    plan = json.loads(raw)[0]["Plan"]
    found = []
    for schema, relation in seq_scans(plan):
        rows = sizes.get(f"{schema}.{relation}", 0)
        if rows > large:
            found.append(SeqScan(f"{schema}.{relation}", rows))
    return found

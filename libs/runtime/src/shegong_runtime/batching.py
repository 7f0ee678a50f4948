"""A batch of events written in a few round trips instead of one per statement.

The runtime delivers each aggregate's events in order, but events of different aggregates
arrive in any interleaving (they sit in different partitions), so every read model already
has to give the same rows whatever that interleaving is. That is what lets a batch be cut into
layers: layer k holds the k-th event of each aggregate in the batch. Within a layer no two
events share an aggregate, so their statements may run in any order; each event's own
statements keep theirs.

`Deferred` stands in for the connection while a layer's handlers run: writes wait, and go out
grouped, one `executemany` per statement for the events whose handlers issued the same
statements. A read first sends everything waiting, so a handler always reads what the events
before it wrote (a handler that reads before each write is correct, only not faster).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from shegong_events import Envelope


def layers(events: Sequence[Envelope]) -> list[list[Envelope]]:
    """The batch as layers: the first event of each aggregate, then the second, and so on."""
    seen: dict[str, int] = {}
    out: list[list[Envelope]] = []
    for event in events:
        k = seen.get(event.aggregate_id, 0)
        seen[event.aggregate_id] = k + 1
        if k == len(out):
            out.append([])
        out[k].append(event)
    return out


Statement = tuple[str, tuple[Any, ...]]


class Deferred:
    """The connection a layer's handlers see: `execute` with arguments waits for `flush`."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._events: list[list[Statement]] = []

    def next_event(self) -> None:
        self._events.append([])

    async def execute(self, sql: str, *args: Any, timeout: float | None = None) -> str:
        if not args:  # a script, or a statement without parameters: in its turn, at once
            await self.flush()
            return await self.conn.execute(sql, timeout=timeout)
        if not self._events:
            self.next_event()
        self._events[-1].append((sql, args))
        return ""

    async def executemany(self, sql: str, args: Iterable[Sequence[Any]]) -> None:
        await self.flush()
        await self.conn.executemany(sql, args)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        await self.flush()
        return await self.conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        await self.flush()
        return await self.conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any, column: int = 0) -> Any:
        await self.flush()
        return await self.conn.fetchval(sql, *args, column=column)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"a read model's handler used Connection.{name}, which a batched apply does not "
            "defer; use execute/fetch*, or override apply_batch"
        )

    async def flush(self) -> None:
        """Send what waits: events with the same statements together, statement by statement."""
        waiting, self._events = self._events, []
        alike: dict[tuple[str, ...], list[list[Statement]]] = {}
        for statements in waiting:
            if statements:
                alike.setdefault(tuple(sql for sql, _ in statements), []).append(statements)
        for shape, group in alike.items():
            for i, sql in enumerate(shape):
                rows = [statements[i][1] for statements in group]
                if len(rows) == 1:
                    await self.conn.execute(sql, *rows[0])
                else:
                    await self.conn.executemany(sql, rows)

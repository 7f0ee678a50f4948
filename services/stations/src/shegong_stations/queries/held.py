"""Figures held by the board's version: a city's totals read by twenty people at once are
counted once, and counted again as soon as the board applies anything.

The version is the board's checkpoints (each partition's last applied sequence), read in the
same snapshot as the figures; every batch a projection applies moves them in its own
transaction, so figures held under a version are exactly what the tables held at it. Readers
asking for the same figures while they are being counted wait for that count (one flight).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import asyncpg

HELD = 32  # scopes and days held; the oldest goes first


async def version(conn: asyncpg.Connection, s: str) -> tuple[Any, ...]:
    """The database and the board generation's checkpoints: one process may read several."""
    rows = await conn.fetch(
        f"SELECT current_database() AS db, stream, stream_seq FROM {s}.checkpoints ORDER BY stream"
    )
    db = rows[0]["db"] if rows else await conn.fetchval("SELECT current_database()")
    return (db, *((r["stream"], r["stream_seq"]) for r in rows))


class Held:
    def __init__(self, size: int = HELD) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.flights: dict[Hashable, asyncio.Future[Any]] = {}
        self.counted = 0  # how many times figures were counted (for tests and the benchmark)

    async def get(self, key: Hashable, count: Callable[[], Awaitable[Any]]) -> Any:
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        if key in self.flights:
            return await asyncio.shield(self.flights[key])
        flight: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.flights[key] = flight
        try:
            value = await count()
        except BaseException as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self.flights.pop(key, None)
        flight.set_result(value)
        self.counted += 1
        self.entries[key] = value
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value


FIGURES = Held()

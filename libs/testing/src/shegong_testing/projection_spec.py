"""Given/then for read models: events in, rows out, against a real PostgreSQL and no NATS.

    household = Stream("hh-1", "xigu-fulilu")
    spec = await ProjectionSpec.open(pool, VisitsReadModel())
    await spec.given(household(registered), household(visited))
    await spec.then("SELECT visits FROM {s}.households", (1,))

Each `given` is one delivered batch, applied as the projection runner applies it: in one
transaction, the batch's ids recorded as processed and its aggregates' order checked
(`ordering.admit`), then `apply_batch`, then the versions reached. A repeated `given` is a
redelivery: what was processed already is a no-op, as it is in production. Every spec gets a
schema of its own, so specs never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_runtime import generations, ordering
from shegong_runtime.projection import TRACKING_DDL, Projection

from shegong_testing.decider import AT


@dataclass
class Stream:
    """One aggregate's events, numbered 1, 2, 3... as its event store numbers them."""

    aggregate_id: str
    station_id: str
    actor: str = "test"
    version: int = field(default=0, init=False)

    def __call__(self, event: DomainEvent, occurred_at: datetime = AT) -> Envelope:
        self.version += 1
        return Envelope.wrap(
            event,
            aggregate_id=self.aggregate_id,
            station_id=self.station_id,
            actor=self.actor,
            occurred_at=occurred_at,
            aggregate_version=self.version,
        )


@dataclass
class ProjectionSpec:
    """A projection over a schema of its own: `given` batches of events, `then` the rows."""

    projection: Projection
    pool: asyncpg.Pool
    schema: str

    @classmethod
    @asynccontextmanager
    async def open(
        cls, pool: asyncpg.Pool, projection: Projection
    ) -> AsyncIterator[ProjectionSpec]:
        """The projection's tables and the runtime's tracking tables in a fresh schema, dropped
        afterwards (the runner's `prepare` makes the same ones)."""
        schema = f"spec_{projection.name}_{uuid.uuid4().hex[:8]}"
        await generations.create_schema(pool, schema, projection.ddl + TRACKING_DDL)
        try:
            yield cls(projection, pool, schema)
        finally:
            await generations.drop_schema(pool, schema)

    async def given(self, *events: Envelope) -> ProjectionSpec:
        """One batch delivered, in one transaction, as the runner applies it."""
        async with self.pool.acquire() as conn, conn.transaction():
            turn = await ordering.admit(conn, self.schema, "spec", list(events), False)
            await self.projection.apply_batch(conn, self.schema, turn.admitted)
            await ordering.record(conn, self.schema, turn.versions)
        return self

    def sql(self, statement: str) -> str:
        """`{s}` in a statement is the spec's schema."""
        return statement.replace("{s}", self.schema)

    async def rows(self, statement: str, *args: Any) -> list[asyncpg.Record]:
        return list(await self.pool.fetch(self.sql(statement), *args))

    async def value(self, statement: str, *args: Any) -> Any:
        return await self.pool.fetchval(self.sql(statement), *args)

    async def then(self, statement: str, *expected: Sequence[Any]) -> None:
        """The statement's rows, as tuples in its order, are exactly `expected`."""
        got = [tuple(r.values()) for r in await self.rows(statement)]
        assert got == [tuple(e) for e in expected], f"rows {got!r}, expected {list(expected)!r}"

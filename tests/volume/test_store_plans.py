"""The statements the runtime runs on its own, every second, stay on an index however large
the event store grows: the relay's idle check and lag count, its read, the head. asyncpg
prepares statements, and from a statement's sixth run PostgreSQL may keep a generic plan
(built without the parameters' values), so each is explained as that plan."""

from __future__ import annotations

import json

import pytest
from shegong_runtime.eventstore import LAG_COUNTED, EventStore, Position
from shegong_testing.probe import probe_event

from .statements import install, recording, seq_scans

EVENTS = 200_000


@pytest.fixture
async def store(pool, unique):
    s = EventStore(pool, unique("plans"))
    await s.migrate()
    events = [
        probe_event(f"h{i // 20}", i).model_copy(update={"aggregate_version": i % 20 + 1})
        for i in range(EVENTS)
    ]
    for k in range(0, EVENTS, 5000):
        async with s.transaction() as conn:
            await s.append_bulk(events[k : k + 5000], conn)
    await pool.execute(f"ANALYZE {s.schema}.events")
    return s


async def generic_plan(pool, query: str, args: tuple) -> dict:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        types = ", ".join("unknown" for _ in args)
        await conn.execute(
            f"PREPARE asked ({types}) AS {query}" if args else f"PREPARE asked AS {query}"
        )
        try:
            literals = ", ".join(_literal(a) for a in args)
            raw = await conn.fetchval(
                f"EXPLAIN (FORMAT JSON) EXECUTE asked ({literals})"
                if args
                else "EXPLAIN (FORMAT JSON) EXECUTE asked"
            )
        finally:
            await conn.execute("DEALLOCATE asked")
    return json.loads(raw)[0]["Plan"]


def _literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def test_the_relays_own_statements_use_the_global_orders_index_at_any_size(
    store, pool, monkeypatch
):
    install(monkeypatch)
    middle = Position(0, 0)
    with recording() as seen:
        assert await store.any_after(middle)
        assert await store.count_after(middle) == min(EVENTS, LAG_COUNTED)
        assert await store.count_after(middle, most=100) == 100  # counted up to a bound
        await store.read_since(middle, limit=100)
        await store.head()
    assert len(seen) >= 5
    for query, args in seen:
        plan = await generic_plan(pool, query, args)
        scans = [r for _, r in seq_scans(plan)]
        assert scans == [], f"a scan of {scans} in the generic plan of: {query}"

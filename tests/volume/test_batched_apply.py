"""A batch applied layer by layer gives the rows of its events applied one by one (the rebuild
and the live model stay equal, DESIGN.md guarantee 5), also when the aggregates' events come
interleaved otherwise, as partitions deliver them: for every read model, on a generated
history, one schema fed event by event in store order and one fed in the runner's batches of a
random interleaving that keeps each aggregate's order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import asyncpg
import pytest
from cityyear.generate import generate
from shegong_engagement.projections import EngagementViews
from shegong_events import Envelope
from shegong_registry.projections import Organisations
from shegong_runtime import generations
from shegong_runtime.eventstore import _row_to_envelope
from shegong_runtime.projection import TRACKING_DDL
from shegong_runtime.read_models import ReadModel
from shegong_stations.projections import BOARD
from shegong_testing.fixtures import fresh_database
from shegong_visits.projections import VisitsReadModel

READ_MODELS: list[ReadModel] = [
    VisitsReadModel(),
    BOARD,
    EngagementViews(),
    Organisations(),
]  # evaluations: the generated year holds none


async def history(pool: asyncpg.Pool, domains: tuple[str, ...]) -> list[Envelope]:
    rows: list[asyncpg.Record] = []
    for domain in domains:
        rows += await pool.fetch(
            f"SELECT tx_id::text::bigint AS tx, position, envelope FROM {domain}.events"
        )
    rows.sort(key=lambda r: (r["tx"], r["position"]))
    return [_row_to_envelope(r) for r in rows]


def interleaved(events: list[Envelope], seed: int) -> list[Envelope]:
    """Another delivery order: aggregates drawn at random, each one's events in their order."""
    queues: dict[str, list[Envelope]] = {}
    for e in events:
        queues.setdefault(e.aggregate_id, []).append(e)
    rng, out = random.Random(seed), []
    live = list(queues)
    while live:
        key = rng.choice(live)
        out.append(queues[key].pop(0))
        if not queues[key]:
            live.remove(key)
    return out


RECOUNTS = (  # (a counter table's rows, the same counted again from the rows it counts)
    (
        "SELECT station_id, day, severity, total, acted, in_time, open FROM {s}.need_days",
        (
            "SELECT station_id, identified_on, severity, count(*), count(acted_on), "
            "count(*) FILTER (WHERE acted_on - identified_on <= 30), "
            "count(*) FILTER (WHERE status IN ('open', 'referred')) FROM {s}.needs GROUP BY 1, 2, 3"
        ),
    ),
    (
        "SELECT station_id, day, made, observed FROM {s}.visit_days",
        (
            "SELECT station_id, visited_on, count(*), count(*) FILTER (WHERE with_observations) "
            "FROM {s}.visits WHERE status = 'made' GROUP BY 1, 2"
        ),
    ),
    (
        "SELECT household_id, month, station_id, first_day, made FROM {s}.visit_months",
        (
            "SELECT household_id, date_trunc('month', visited_on)::date, min(station_id), "
            "min(visited_on), count(*) FROM {s}.visits WHERE status = 'made' GROUP BY 1, 2"
        ),
    ),
    (
        "SELECT station_id, dimension, key, n FROM {s}.household_counts WHERE n <> 0",
        (
            "SELECT station_id, 'category', c, count(*) FROM {s}.households, unnest(CASE WHEN "
            "categories = '{{}}' THEN ARRAY['other'] ELSE categories END) AS c WHERE NOT erased "
            "GROUP BY 1, 3 UNION ALL SELECT station_id, 'tier', coalesce(risk_tier, 'unassessed'), "
            "count(*) FROM {s}.households WHERE NOT erased GROUP BY 1, 3"
        ),
    ),
    (
        "SELECT station_id, due_day, n FROM {s}.household_due WHERE n <> 0",
        (
            "SELECT station_id, (next_due_at AT TIME ZONE 'UTC' + interval '8 hours')::date, "
            "count(*) FROM {s}.households WHERE NOT erased AND next_due_at IS NOT NULL GROUP BY 1, 2"
        ),
    ),
)


async def rows(pool: asyncpg.Pool, schema: str) -> dict[str, list[tuple]]:
    tables = [
        r["tablename"]
        for r in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
        if r["tablename"] not in {"processed", "failures", "checkpoints", "store_epochs"}
    ]
    out = {}
    for table in tables:
        found = await pool.fetch(f"SELECT to_jsonb(t)::text AS row FROM {schema}.{table} t")
        out[table] = sorted(r["row"] for r in found)
    return out


@pytest.fixture(scope="module")
def history_url(postgres_server_url: str) -> Iterator[str]:
    """A database of its own holding a small generated year (the suite's other tests generate
    theirs into the suite's database)."""
    with fresh_database(postgres_server_url, "shegong_batched") as url:
        asyncio.run(generate(url, 3, 0.1, seed=11))
        yield url


@pytest.mark.timeout(600)
@pytest.mark.parametrize("model", READ_MODELS, ids=lambda m: m.name)
async def test_a_batch_gives_the_rows_of_its_events_one_by_one(history_url, model):
    pool = await asyncpg.create_pool(history_url, min_size=1, max_size=2)
    try:
        events = await history(pool, tuple(model.domains))
        assert len(events) >= 10, len(events)  # registry holds a few per station
        alone, batched = f"alone_{model.name}", f"batched_{model.name}"
        for schema in (alone, batched):
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await generations.create_schema(pool, schema, model.ddl + TRACKING_DDL)
        async with pool.acquire() as conn:
            for event in events:
                async with conn.transaction():
                    await model.apply(conn, alone, event)
            shuffled = interleaved(events, seed=len(events))
            for i in range(0, len(shuffled), 256):
                async with conn.transaction():
                    await model.apply_batch(conn, batched, shuffled[i : i + 256])
        expected, got = await rows(pool, alone), await rows(pool, batched)
        assert sum(map(len, expected.values())) > 0
        for table, want in expected.items():
            assert got[table] == want, f"{model.name}.{table} differs"
        if model is BOARD:  # the counters its triggers keep are the visits counted again
            for kept, recounted in RECOUNTS:
                kept, recounted = kept.format(s=batched), recounted.format(s=batched)
                assert await pool.fetchval(f"SELECT count(*) FROM ({kept}) k") > 0, kept
                assert not await pool.fetch(f"{kept} EXCEPT ({recounted})"), kept
                assert not await pool.fetch(f"({recounted}) EXCEPT {kept}"), kept
    finally:
        await pool.close()

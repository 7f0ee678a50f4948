"""How fast each read model applies history, without the bus: the events of a loaded year read
from the stores in their global order and applied through each projection's `apply_batch` in
the runner's batch size, each batch in its own transaction, into a scratch schema. Beside it,
the raw rate of the same batches as one multi-row INSERT of the envelopes into a bare table:
what a read model with one write per event could at best reach on this PostgreSQL.

    DATABASE_URL=... uv run python bench/apply_rate.py [--limit 50000] [--only visits_read]

A rebuild's own rate is this plus the bus and the runner's ordering rows (`bench/run.py
--history` measures whole rebuilds)."""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import asyncpg
from shegong_runtime import generations
from shegong_runtime.eventstore import _row_to_envelope
from shegong_runtime.projection import TRACKING_DDL, Projection

BATCH = 256


def projections() -> dict[str, Projection]:
    from shegong_engagement.projections import EngagementViews
    from shegong_registry.projections import Evaluations, Organisations
    from shegong_stations.projections import BOARD
    from shegong_visits.projections import VisitsReadModel

    found = [VisitsReadModel(), BOARD, EngagementViews(), Organisations(), Evaluations()]
    return {p.name: p for p in found}


async def history(pool: asyncpg.Pool, domains: tuple[str, ...], limit: int) -> list:
    rows = []
    for domain in domains:
        if not await pool.fetchval("SELECT to_regclass($1)", f"{domain}.events"):
            continue
        rows += await pool.fetch(
            f"SELECT tx_id::text::bigint AS tx, position, envelope FROM {domain}.events "
            "ORDER BY tx_id, position LIMIT $1",
            limit,
        )
    rows.sort(key=lambda r: (r["tx"], r["position"]))
    return [_row_to_envelope(r) for r in rows[:limit]]


async def rate(pool: asyncpg.Pool, projection: Projection, events: list) -> float:
    s = f"apply_rate_{projection.name}"
    await pool.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
    await generations.create_schema(pool, s, projection.ddl + TRACKING_DDL)
    started = time.perf_counter()
    async with pool.acquire() as conn:
        for i in range(0, len(events), BATCH):
            async with conn.transaction():
                await projection.apply_batch(conn, s, events[i : i + BATCH])
    seconds = time.perf_counter() - started
    await pool.execute(f"DROP SCHEMA {s} CASCADE")
    return len(events) / seconds


async def raw(pool: asyncpg.Pool, events: list) -> float:
    await pool.execute(
        "DROP TABLE IF EXISTS apply_rate_raw; "
        "CREATE TABLE apply_rate_raw (id uuid PRIMARY KEY, body jsonb NOT NULL)"
    )
    started = time.perf_counter()
    async with pool.acquire() as conn:
        for i in range(0, len(events), BATCH):
            part = events[i : i + BATCH]
            await conn.execute(
                "INSERT INTO apply_rate_raw SELECT * FROM unnest($1::uuid[], $2::jsonb[])",
                [e.event_id for e in part],
                [e.model_dump_json() for e in part],
            )
    seconds = time.perf_counter() - started
    await pool.execute("DROP TABLE apply_rate_raw")
    return len(events) / seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=50_000)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        for name, projection in projections().items():
            if args.only and name != args.only:
                continue
            events = await history(pool, tuple(projection.domains), args.limit)
            ours, base = await rate(pool, projection, events), await raw(pool, events)
            print(
                f"{name:24} {len(events):>8,} events  {ours:>8,.0f} ev/s  "
                f"raw insert {base:>8,.0f} ev/s  ratio {ours / base:.2f}"
            )
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())

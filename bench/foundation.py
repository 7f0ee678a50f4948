"""Foundation benchmark: our event store, relay and projection beside the raw rates they stand on.

Run on demand (not a test): `uv run python bench/foundation.py [--events N]`. Uses DATABASE_URL /
NATS_URL when set, else embedded servers. Prints one table of rates and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import nats
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from shegong_runtime import bus
from shegong_runtime.connections import create_pool, with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres
from shegong_runtime.eventstore import EventStore
from shegong_runtime.projection import ProjectionRunner
from shegong_runtime.relay import Relay
from shegong_runtime.settings import Settings
from shegong_testing.probe import ProbeTotals, probe_event

# raw messages and rows are as large as our envelopes, so the comparison is like for like
PAYLOAD = probe_event("a" * 32, 1, "x" * 200).model_dump_json().encode()


async def timed_writers(writers: int, total: int, work) -> float:
    """Rate of `total` operations spread over `writers` concurrent workers."""
    per = total // writers
    started = time.perf_counter()
    await asyncio.gather(*(work(w, per) for w in range(writers)))
    return per * writers / (time.perf_counter() - started)


async def raw_insert(pool: asyncpg.Pool, writers: int, total: int) -> float:
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS raw_insert (id uuid PRIMARY KEY, stream text, data jsonb)"
    )

    async def work(w: int, n: int) -> None:
        async with pool.acquire() as conn:
            for _ in range(n):
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO raw_insert VALUES ($1, $2, $3::jsonb)",
                        uuid.uuid4(),
                        f"s{w}",
                        PAYLOAD.decode(),
                    )

    return await timed_writers(writers, total, work)


async def our_append(store: EventStore, writers: int, total: int, *, loaded: bool = True) -> float:
    """`EventStore.append`, one event a call, each writer on a connection it holds like the raw
    baseline's. `loaded`: as the command path appends, at the version it loaded; else as a
    version from outside (an If-Match) would be, with the statement's own gap check."""
    per = total // writers
    prepared = []
    for _ in range(writers):  # envelopes are the caller's to build: built before the clock starts
        agg = uuid.uuid4().hex
        events = [probe_event(agg, 1, "x" * 200) for _ in range(per)]
        prepared.append(
            (agg, [e.model_copy(update={"aggregate_version": v + 1}) for v, e in enumerate(events)])
        )

    async def work(w: int, n: int) -> None:
        agg, events = prepared[w]
        async with store.pool.acquire() as conn:
            for v in range(n):
                await store.append(f"probe-{agg}", [events[v]], v, conn=conn, loaded=loaded)

    return await timed_writers(writers, total, work)


async def raw_publish(js, total: int) -> float:
    try:
        await js.delete_stream("BENCH_RAW")
    except Exception:
        pass
    await js.add_stream(
        StreamConfig(name="BENCH_RAW", subjects=["bench.raw.>"], storage=StorageType.FILE)
    )
    started = time.perf_counter()
    futures = [
        await js.publish_async(
            f"bench.raw.{i % 50}", PAYLOAD, headers={"Nats-Msg-Id": uuid.uuid4().hex}
        )
        for i in range(total)
    ]
    await asyncio.gather(*futures)
    return total / (time.perf_counter() - started)


async def raw_consume(js, total: int, batch: int) -> float:
    await js.add_consumer(
        "BENCH_RAW",
        ConsumerConfig(
            durable_name="raw", ack_policy=AckPolicy.EXPLICIT, max_ack_pending=batch * 4
        ),
    )
    sub = await js.pull_subscribe_bind("raw", "BENCH_RAW")
    seen, started = 0, time.perf_counter()
    while seen < total:
        for msg in await sub.fetch(batch, timeout=5):
            await msg.ack()
            seen += 1
    return seen / (time.perf_counter() - started)


async def our_relay(store: EventStore, nc, settings: Settings, total: int) -> float:
    relay = Relay(store, nc, "probe", settings)
    await relay.recover()
    started, sent = time.perf_counter(), 0
    while sent < total:
        sent += await relay.pump_once()
    await relay.settle()
    return sent / (time.perf_counter() - started)


async def our_projection(pool, nc, settings: Settings, total: int) -> float:
    """A fresh projection over the probe partitions from the start, one process holding them all."""
    runner = ProjectionRunner(
        ProbeTotals(f"bench_{uuid.uuid4().hex[:6]}"), pool, nc, settings, exclusive=True
    )
    started = time.perf_counter()
    await runner.run(asyncio.Event(), until_caught_up=True)
    seen = sum(u.received for u in runner.consumers.values())
    return seen / (time.perf_counter() - started)


async def main(events: int, repeat: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shegong-bench-"))
    nats_server = pg_server = None
    nats_url = os.environ.get("NATS_URL") or (nats_server := EmbeddedNats(tmp / "nats").start()).url
    pg_url = (
        os.environ.get("DATABASE_URL") or (pg_server := EmbeddedPostgres(tmp / "pg").start()).url
    )
    dbname = f"shegong_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_url)
    await admin.execute(f"CREATE DATABASE {dbname}")
    database_url = with_database(pg_url, dbname)
    settings = Settings(
        database_url=database_url,
        nats_url=nats_url,
        relay_batch_size=1000,
        projection_batch_size=500,
    )
    pool = await create_pool(database_url, min_size=17, max_size=17)
    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=4000)
    try:
        store = EventStore(pool, "bench")
        await store.migrate()
        await bus.ensure_domain_streams(js, ["probe"], settings)
        best: dict[str, float] = {}

        def keep(name: str, rate: float) -> None:
            best[name] = max(best.get(name, 0.0), rate)

        for _ in range(repeat):  # best of N for both sides: other load on the machine hits both
            keep("raw1", await raw_insert(pool, 1, events // 4))
            keep("ours1", await our_append(store, 1, events // 4))
            keep("raw16", await raw_insert(pool, 16, events))
            keep("ours16", await our_append(store, 16, events))
            stored = events // 4 + events
            keep("pub", await raw_publish(js, stored))
            keep("relay", await our_relay(store, nc, settings, stored))
            keep("consume", await raw_consume(js, stored, settings.projection_batch_size))
            keep("apply", await our_projection(pool, nc, settings, stored))
        rows = [
            (
                "append, 1 writer",
                best["ours1"],
                "PostgreSQL insert tx, 1 writer",
                best["raw1"],
                None,
            ),
            (
                "append, 16 writers",
                best["ours16"],
                "PostgreSQL insert tx, 16 writers",
                best["raw16"],
                0.70,
            ),
            # the relay sends each event twice (domain and partition stream): events against message pairs
            (
                "relay publish",
                best["relay"],
                "JetStream publish, 2 msgs/event",
                best["pub"] / 2,
                0.70,
            ),
            (
                "projection apply",
                best["apply"],
                "JetStream pull-and-ack consume",
                best["consume"],
                0.50,
            ),
        ]
    finally:
        await nc.close()
        await pool.close()
        await admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        await admin.close()
        if nats_server:
            nats_server.stop()
        if pg_server:
            pg_server.stop()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"events: {events} per measurement, best of {repeat}; rates in operations per second\n")
    print(f"{'ours':<20}{'rate':>10}   {'raw':<34}{'rate':>10}{'ratio':>8}  target")
    for name, ours, raw_name, raw, target in rows:
        ratio = ours / raw
        verdict = (
            ""
            if target is None
            else (f">= {target:.0%} ok" if ratio >= target else f">= {target:.0%} MISSED")
        )
        print(f"{name:<20}{ours:>10.0f}   {raw_name:<34}{raw:>10.0f}{ratio:>8.0%}  {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.repeat))

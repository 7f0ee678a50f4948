"""Long streams: what one command costs on a household with 10, 100 and 500 events.

`uv run python bench/long_streams.py [--households 30]`. Each size gets its own households,
written through the household decider and `append_bulk` (a registration, then visits a day
apart); then one visit is recorded on each through `commands.send`, the command path every
route runs (load the stream, fold, decide, append at the version loaded), and timed. Prints
p50/p99 per size, and the load-and-fold part alone, without and with snapshots (taken by a
first command, as in service). Uses DATABASE_URL (a scratch database is
made and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).parent))
from cityyear.sink import HistoryKeys, Sink, Streams
from shegong_runtime import commands
from shegong_runtime.connections import with_database
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings
from shegong_runtime.snapshots import Snapshots
from shegong_visits import config
from shegong_visits.domain import commands as c

SIZES = (10, 100, 500)
STATION = "bench-long"
NEXT_VISIT = itertools.count(100000)


def visit(n: int, at: datetime) -> c.RecordVisit:
    return c.RecordVisit(
        visit_id=f"v{n}", visited_at=at, mode="home_visit", social_worker_ids=("sw-bench",)
    )


async def households_of(sink: Sink, size: int, count: int) -> list[str]:
    """`count` households of `size` events each (registration + tier, then visits)."""
    now = datetime.now(UTC)
    start = now - timedelta(days=size + 5)
    streams = Streams(config.households(), sink, "bench")
    ids = []
    for h in range(count):
        hid = f"long{size}-{h}-{uuid.uuid4().hex[:6]}"
        ids.append(hid)
        register = c.RegisterHousehold(
            household_id=hid,
            categories=("solitary_elderly",),
            community=None,
            members=(),
            head_name_sealed=await sink.keys.seal(f"household:{hid}", "某某") or "",
            phone_sealed=None,
            address_sealed=None,
            id_number_sealed=None,
            registered_at=start,
        )
        await streams.run(hid, register, station_id=STATION, at=start)
        for n in range(size - 2):  # registration and first tier are two events
            at = start + timedelta(days=n + 1)
            await streams.run(hid, visit(n, at), station_id=STATION, at=at)
        streams.forget()
    await sink.flush()
    return ids


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(store: EventStore, ids: list[str]) -> tuple[list[float], list[float]]:
    decider = config.households()
    ctx = commands.CommandContext(actor="bench", correlation_id=uuid.uuid4())
    respond = commands.changed(200, "household_id")
    whole, folds = [], []
    for hid in ids:
        started = time.perf_counter()
        await commands.load(store, decider, hid)
        folds.append((time.perf_counter() - started) * 1000)
    for hid in ids:
        started = time.perf_counter()
        await commands.send(
            store,
            commands.Order(
                decider,
                hid,
                visit(next(NEXT_VISIT), datetime.now(UTC) - timedelta(minutes=1)),
                respond,
                station_id=STATION,
            ),
            ctx,
        )
        whole.append((time.perf_counter() - started) * 1000)
    return whole, folds


async def main(households: int) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"shegong_long_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        pool = await asyncpg.create_pool(with_database(server, name), min_size=1, max_size=2)
        store = EventStore(pool, "visits")
        await store.migrate()
        keys = HistoryKeys(pool, "visits", Settings(service="visits").master_key)
        await keys.migrate()
        sink = Sink(store, keys)
        snapshots = Snapshots(store)  # its table is a store migration step
        print(
            f"{'events':>7} {'snapshots':>9} {'command p50':>12} {'command p99':>12} {'load p50':>9}"
        )
        for size in SIZES:
            for kept in (False, True):
                ids = await households_of(sink, size, households)
                store.snapshots = snapshots if kept else None
                if kept:  # a first command took the snapshot; the figures are the next ones
                    await measure(store, ids)
                whole, folds = await measure(store, ids)
                print(
                    f"{size:>7} {'yes' if kept else 'no':>9} {statistics.median(whole):>9.2f} ms"
                    f" {pct(whole, 0.99):>9.2f} ms {statistics.median(folds):>6.2f} ms"
                )
        await pool.close()
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=30)
    asyncio.run(main(parser.parse_args().households))

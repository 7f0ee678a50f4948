"""Profile the backbone's hot paths with cProfile: append, relay, projection apply.

`uv run python bench/hotspots.py [--events N]` prints the top functions by own time of each
stage; the findings are in bench/NOTES.md. Uses DATABASE_URL / NATS_URL like bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import uuid
from pathlib import Path

import asyncpg
import nats

sys.path.insert(0, str(Path(__file__).parent))
from foundation import our_append, our_projection, our_relay
from shegong_runtime import bus
from shegong_runtime.connections import create_pool, with_database
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings


async def profiled(name: str, coro) -> None:
    prof = cProfile.Profile()
    prof.enable()
    rate = await coro
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(14)
    print(f"==== {name}: {rate:.0f}/s (under the profiler)")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])


async def main(events: int) -> None:
    pg_url, nats_url = os.environ["DATABASE_URL"], os.environ.get("NATS_URL")
    server = None
    if not nats_url:
        from shegong_runtime.embedded import EmbeddedNats

        server = EmbeddedNats(Path(f"/tmp/shegong-prof-{uuid.uuid4().hex[:6]}")).start()
        nats_url = server.url
    name = f"shegong_prof_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_url)
    await admin.execute(f"CREATE DATABASE {name}")
    url = with_database(pg_url, name)
    settings = Settings(
        database_url=url, nats_url=nats_url, relay_batch_size=1000, projection_batch_size=500
    )
    pool = await create_pool(url, min_size=17, max_size=17)
    nc = await nats.connect(nats_url)
    try:
        store = EventStore(pool, "bench")
        await store.migrate()
        await bus.ensure_domain_streams(nc.jetstream(), ["probe"], settings)
        await profiled("append, 16 writers", our_append(store, 16, events))
        stored = events - events % 16  # what 16 writers appended
        await profiled("relay", our_relay(store, nc, settings, stored))
        await profiled("projection apply", our_projection(pool, nc, settings, stored))
    finally:
        await nc.close()
        await pool.close()
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=4000)
    asyncio.run(main(parser.parse_args().events))

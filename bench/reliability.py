"""The reliability suite's full run: `uv run python bench/reliability.py [--seconds 180]`.

Runs tests/reliability/scenario.py (three-node JetStream cluster from the pinned wheel, visits
under HTTP load while its relay holder, a replica, the stream leader's node and every
PostgreSQL session are killed, scaled 1 -> 3 -> 1) and prints the table the README keeps.
PostgreSQL from DATABASE_URL (a fresh database is made and dropped), else an embedded one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shegong_runtime.cluster import EmbeddedCluster
from shegong_runtime.connections import with_database
from shegong_runtime.embedded import EmbeddedPostgres

from tests.reliability.scenario import run


async def main(seconds: float, households: int, rate: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shegong-reliability-"))
    pg = None
    server = os.environ.get("DATABASE_URL") or (pg := EmbeddedPostgres(tmp / "pg").start()).url
    name = f"shegong_rel_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    cluster = EmbeddedCluster(tmp / "nats", 3).start()
    try:
        report = await run(
            with_database(server, name),
            cluster,
            tmp,
            seconds=seconds,
            households=households,
            rate=rate,
        )
        print(f"faults: {'; '.join(report.faults)}")
        print(report.table())
    finally:
        cluster.stop()
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        if pg:
            pg.stop()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=float, default=180)
    p.add_argument("--households", type=int, default=50)
    p.add_argument("--rate", type=float, default=50.0, help="commands per second")
    a = p.parse_args()
    asyncio.run(main(a.seconds, a.households, a.rate))

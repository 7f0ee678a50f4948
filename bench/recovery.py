"""The reliability suite's restore scenarios: `uv run python bench/recovery.py`.

Runs tests/reliability/restore.py (a store restored behind its streams, streams restored behind
the store, a read model's schema dropped) and prints the table docs/operators.md keeps.
PostgreSQL from DATABASE_URL (a fresh database is made and dropped), else an embedded one; NATS
from the pinned wheel.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shegong_runtime.connections import with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres

from tests.reliability.restore import run, table


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shegong-recovery-"))
    pg = None
    server = os.environ.get("DATABASE_URL") or (pg := EmbeddedPostgres(tmp / "pg").start()).url
    name = f"shegong_rec_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    nats_server = EmbeddedNats(tmp / "nats").start()
    try:
        print(table(await run(with_database(server, name), nats_server.url, tmp)))
    finally:
        nats_server.stop()
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    asyncio.run(main())

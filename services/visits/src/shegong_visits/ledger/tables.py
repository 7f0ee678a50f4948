"""The import audit (导入记录): who imported which file (by its keyed hash) into which station,
how many rows, and how far the import has come. Beside the event store, in its schema."""

from __future__ import annotations

import asyncpg
from shegong_runtime import migrations


def ddl(s: str) -> str:
    s = migrations.identifier(s)
    return f"""
SELECT pg_advisory_xact_lock(hashtext('shegong.migrate.{s}.ledger'));
CREATE TABLE IF NOT EXISTS {s}.ledger_imports (
    import_id     text PRIMARY KEY,
    station_id    text NOT NULL,
    actor         text NOT NULL,
    actor_role    text NOT NULL,
    file_hash     text NOT NULL,     -- HMAC-SHA256 of the file under the fingerprint secret
    file_bytes    integer NOT NULL,
    rows_total    integer NOT NULL,
    rows_done     integer NOT NULL DEFAULT 0,
    rows_added    integer NOT NULL DEFAULT 0,
    rows_repeated integer NOT NULL DEFAULT 0,  -- imported before under the same file and row
    rows_existing integer NOT NULL DEFAULT 0,  -- named a household the station already has
    status        text NOT NULL,     -- running | done | failed
    failure       text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS ledger_imports_by_station ON {s}.ledger_imports (station_id, started_at);
CREATE INDEX IF NOT EXISTS ledger_imports_listed ON {s}.ledger_imports (started_at, import_id);
CREATE INDEX IF NOT EXISTS ledger_imports_listed_at_station ON {s}.ledger_imports (station_id, started_at, import_id);
"""


async def ensure(pool: asyncpg.Pool, schema: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(ddl(schema))

"""Schema migrations, serialized by an advisory lock so N replicas can start at once.

Two kinds. The baseline DDLs (`EVENT_STORE`, each module's `DDL`) are idempotent and run on
every start, as every release so far has run them: they must stay statements the previous
release would run the same way (it runs them too, beside us, during a rolling upgrade).
Everything after the baseline is a numbered `Migration` in `EVENT_STORE_STEPS`, applied once,
forward only, recorded in `<schema>.schema_versions`. A small runner rather than a migration
tool (alembic, yoyo): the steps are a few statements per schema, every service has one schema
per store and N replicas start at once, and the rule that matters, expand then contract, is a
property of the steps, not of a tool:

- an *expand* step only adds what the previous release ignores (a table, a nullable column,
  an index); a release may ship expand steps freely;
- a *contract* step removes what the release *before* the previous one stopped using, so it
  ships one release after the expand that replaced it, never beside a reader of the old shape.

Each release states the store versions it runs beside (`RUNS_BESIDE`): a replica refuses to
start on a store migrated past the newest step it knows (a rollback too far), with a message
naming both versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import asyncpg

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def identifier(name: str) -> str:
    """A schema or table name we interpolate into SQL: checked, never user input."""
    if not _IDENT.match(name):
        raise ValueError(f"invalid SQL identifier {name!r}")
    return name


EVENT_STORE = """
CREATE TABLE IF NOT EXISTS {s}.events (
    position        bigserial NOT NULL,
    tx_id           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text NOT NULL,
    version         integer NOT NULL,
    event_id        uuid PRIMARY KEY,
    event_type      text NOT NULL,
    station_id      text NOT NULL,
    aggregate_id    text NOT NULL,
    envelope        text NOT NULL,  -- the envelope as published, rendered once at append
    UNIQUE (stream_id, version)
);
-- the envelope is the record; the columns are what the indexes and the relay's routing read.
-- Stores made before kept a second copy of the envelope's fields (the data as jsonb too); the
-- check first, so a start does not lock the events table when there is nothing to drop.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = '{s}' AND table_name = 'events' AND column_name = 'data') THEN
        ALTER TABLE {s}.events DROP COLUMN IF EXISTS schema_version,
            DROP COLUMN IF EXISTS aggregate_type, DROP COLUMN IF EXISTS aggregate_version,
            DROP COLUMN IF EXISTS occurred_at, DROP COLUMN IF EXISTS recorded_at,
            DROP COLUMN IF EXISTS correlation_id, DROP COLUMN IF EXISTS causation_id,
            DROP COLUMN IF EXISTS actor, DROP COLUMN IF EXISTS data;
    END IF;
END $$;
-- every field of every event, for an operator's query (read-only; the envelope parsed per row)
CREATE OR REPLACE VIEW {s}.event_log AS
    SELECT e.position, e.tx_id, e.stream_id, e.version, e.event_id, e.event_type,
           (j ->> 'schema_version')::int AS schema_version, j ->> 'aggregate_type' AS aggregate_type,
           e.aggregate_id, e.version AS aggregate_version, e.station_id,
           (j ->> 'occurred_at')::timestamptz AS occurred_at,
           (j ->> 'recorded_at')::timestamptz AS recorded_at,
           (j ->> 'correlation_id')::uuid AS correlation_id,
           (j ->> 'causation_id')::uuid AS causation_id, j ->> 'actor' AS actor,
           j -> 'data' AS data, e.envelope
    FROM {s}.events e, LATERAL (SELECT e.envelope::jsonb AS j) AS parsed;
CREATE INDEX IF NOT EXISTS events_global_order ON {s}.events (tx_id, position);
-- positions only order the events of one transaction (the global order is tx_id first), and
-- one session's cached values rise: 16 writers stop queueing on the sequence for each one
DO $$ BEGIN
    IF (SELECT cache_size FROM pg_sequences
        WHERE schemaname = '{s}' AND sequencename = 'events_position_seq') = 1 THEN
        ALTER SEQUENCE {s}.events_position_seq CACHE 64;
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS {s}.relay_checkpoint (
    relay       text PRIMARY KEY,
    tx_id       bigint NOT NULL DEFAULT 0,
    position    bigint NOT NULL DEFAULT 0,
    stream_seq  bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- the partition stream's sequence, kept like stream_seq (the relay publishes to both)
ALTER TABLE {s}.relay_checkpoint ADD COLUMN IF NOT EXISTS partition_seq bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS {s}.idempotency (
    key          text PRIMARY KEY,
    fingerprint  text NOT NULL,
    status       integer NOT NULL,
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- the data subjects a request sealed for: their erasure deletes its fingerprint and answer
ALTER TABLE {s}.idempotency ADD COLUMN IF NOT EXISTS subjects text[] NOT NULL DEFAULT '{{}}';
CREATE INDEX IF NOT EXISTS idempotency_by_subject ON {s}.idempotency USING gin (subjects);
"""


@dataclass(frozen=True)
class Migration:
    """One forward-only step of a store's schema after the baseline."""

    version: int
    name: str
    phase: Literal["expand", "contract"]
    sql: str  # `{s}` is the schema


# version 1 is the baseline (`EVENT_STORE`, run on every start since the first release)
EVENT_STORE_STEPS: tuple[Migration, ...] = (
    Migration(
        2,
        "store identity: the epoch minted at creation and at every restore",
        "expand",
        """
        CREATE TABLE IF NOT EXISTS {s}.store_epochs (
            epoch      uuid PRIMARY KEY,
            minted_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
            reason     text NOT NULL  -- created, restored (by `shegong restore`), restore_detected
        );
        """,
    ),
    Migration(
        3,
        "snapshots: a decider's state at a version, beside the stream it was folded from",
        "expand",
        """
        CREATE TABLE IF NOT EXISTS {s}.snapshots (
            stream_id  text PRIMARY KEY,
            code_key   text NOT NULL,      -- `snapshots.code_key` of the decider that folded it
            version    integer NOT NULL,
            event_id   uuid NOT NULL,      -- the stream's event at `version`, as it was folded
            state      bytea NOT NULL,
            taken_at   timestamptz NOT NULL DEFAULT now()
        );
        """,
    ),
)
# the store versions a replica of this release works beside: the previous release left the
# store at 1 and ignores steps 2 and 3; a store past the newest step known here is refused
RUNS_BESIDE = range(1, EVENT_STORE_STEPS[-1].version + 1)
VERSIONS_DDL = """
CREATE TABLE IF NOT EXISTS {s}.schema_versions (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    phase       text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
"""


class StoreTooNew(RuntimeError):
    """The store was migrated by a newer release than this one runs beside."""


async def step_up(
    conn: asyncpg.Connection,
    schema: str,
    steps: tuple[Migration, ...] = EVENT_STORE_STEPS,
    runs_beside: range = RUNS_BESIDE,
) -> int:
    """Apply the steps the store has not had, in order, each once; returns the store version.
    Inside the caller's transaction and migration lock."""
    schema = identifier(schema)
    await conn.execute(VERSIONS_DDL.format(s=schema))
    current = await conn.fetchval(f"SELECT coalesce(max(version), 1) FROM {schema}.schema_versions")
    if current not in runs_beside:
        raise StoreTooNew(
            f"store {schema} is at version {current}; this release runs beside versions "
            f"{runs_beside.start}..{runs_beside.stop - 1}: upgrade this replica"
        )
    for step in steps:
        if step.version > current:
            await conn.execute(step.sql.format(s=schema))
            await conn.execute(
                f"INSERT INTO {schema}.schema_versions (version, name, phase) VALUES ($1, $2, $3)",
                step.version,
                step.name,
                step.phase,
            )
            current = step.version
    return current


async def store_version(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> int:
    schema = identifier(schema)
    if not await conn.fetchval("SELECT to_regclass($1)", f"{schema}.schema_versions"):
        return 1
    return await conn.fetchval(f"SELECT coalesce(max(version), 1) FROM {schema}.schema_versions")


async def apply_store(pool: asyncpg.Pool, schema: str) -> int:
    """The event store's baseline, then its numbered steps, under one lock and transaction."""
    schema = identifier(schema)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))", f"shegong.migrate.{schema}"
        )
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(EVENT_STORE.format(s=schema))
        return await step_up(conn, schema)


async def apply(pool: asyncpg.Pool, schema: str, ddl: str) -> None:
    async with pool.acquire() as conn:
        await apply_on(conn, schema, ddl)


async def apply_on(conn: asyncpg.Connection, schema: str, ddl: str) -> None:
    schema = identifier(schema)
    async with conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))", f"shegong.migrate.{schema}"
        )
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(ddl.format(s=schema))

"""Idempotent schema migrations, serialized by an advisory lock so N replicas can start at once."""

from __future__ import annotations

import re

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

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
    schema_version  integer NOT NULL,
    aggregate_type  text NOT NULL,
    aggregate_id    text NOT NULL,
    aggregate_version integer NOT NULL,
    station_id      text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    correlation_id  uuid NOT NULL,
    causation_id    uuid,
    actor           text NOT NULL,
    data            jsonb NOT NULL,
    envelope        text NOT NULL,  -- the envelope as published, rendered once at append
    UNIQUE (stream_id, version)
);
CREATE INDEX IF NOT EXISTS events_global_order ON {s}.events (tx_id, position);
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

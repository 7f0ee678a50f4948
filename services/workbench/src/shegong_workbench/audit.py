"""The workbench's own audit: sign-ins, refusals, locks lifted, passwords set, queues discarded.

A row says what happened, to which account (its username, the same pseudonym events carry as
their actor; never what someone typed for an account that does not exist), by whom when someone
else did it, and a keyed hash of the address. Never a password, a name or a household's data.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_runtime import logging

from shegong_workbench.users import SCHEMA

DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.audit (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    event     text NOT NULL,    -- signin.ok, signin.refused, signin.throttled, signin.locked, ...
    username  text,             -- the account concerned, when it exists
    actor     text,             -- who did it, when not the account itself (a lead)
    address   text,             -- keyed hash of the caller's address
    detail    jsonb NOT NULL DEFAULT '{{}}'
);
CREATE INDEX IF NOT EXISTS audit_by_user ON {SCHEMA}.audit (username, at);
"""
log = logging.get("workbench.audit")


async def record(
    conn: asyncpg.Connection | asyncpg.Pool,
    event: str,
    *,
    username: str | None = None,
    actor: str | None = None,
    address: str | None = None,
    **detail: Any,
) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.audit (event, username, actor, address, detail) "
        "VALUES ($1, $2, $3, $4, $5::jsonb)",
        event,
        username,
        actor,
        address,
        json.dumps(detail),
    )
    log.info(event, **detail)  # the log line carries neither the account nor the address


async def of(pool: asyncpg.Pool, username: str, limit: int = 50) -> list[dict]:
    rows = await pool.fetch(
        f"SELECT * FROM {SCHEMA}.audit WHERE username = $1 ORDER BY id DESC LIMIT $2",
        username,
        limit,
    )
    return [dict(r) | {"detail": json.loads(r["detail"])} for r in rows]

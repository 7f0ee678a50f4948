"""A store's identity: an epoch minted when the store is created and again whenever it is
restored (by `shegong restore`, or when a start finds the streams ahead of it).

The relay puts the epoch on every event it publishes (`Sw-Store-Epoch`), so whoever reads a
stream sees the point where a store went back in time and came forward again, and a restored
store is never mistaken for the one whose history the streams already hold.
"""

from __future__ import annotations

import uuid

import asyncpg

from shegong_runtime import migrations

HEADER = "Sw-Store-Epoch"
CREATED, RESTORED, RESTORE_DETECTED = "created", "restored", "restore_detected"


async def current(db: asyncpg.Connection | asyncpg.Pool, schema: str) -> uuid.UUID:
    """The store's epoch; the first call on a new store mints it."""
    schema = migrations.identifier(schema)
    found = await db.fetchval(
        f"SELECT epoch FROM {schema}.store_epochs ORDER BY minted_at DESC LIMIT 1"
    )
    return found or await mint(db, schema, CREATED, only_if_none=True)


async def mint(
    db: asyncpg.Connection | asyncpg.Pool, schema: str, reason: str, only_if_none: bool = False
) -> uuid.UUID:
    """A new epoch from now on (`only_if_none`: unless a concurrent start minted the first)."""
    schema = migrations.identifier(schema)
    epoch = uuid.uuid4()
    guard = f"WHERE NOT EXISTS (SELECT 1 FROM {schema}.store_epochs)" if only_if_none else ""
    await db.execute(
        f"INSERT INTO {schema}.store_epochs (epoch, reason) SELECT $1, $2 {guard}", epoch, reason
    )
    if only_if_none:
        return await current(db, schema)
    return epoch


async def history(db: asyncpg.Connection | asyncpg.Pool, schema: str) -> list[asyncpg.Record]:
    schema = migrations.identifier(schema)
    return await db.fetch(
        f"SELECT epoch, minted_at, reason FROM {schema}.store_epochs ORDER BY minted_at"
    )

"""Which generation of a projection's read model is live; rebuilds fill the next one beside it."""

from __future__ import annotations

import asyncpg

from shegong_runtime import migrations

META = "shegong_projections"
DDL = """
CREATE TABLE IF NOT EXISTS {s}.generations (
    projection  text PRIMARY KEY,
    live        integer NOT NULL,
    swapped_at  timestamptz NOT NULL DEFAULT now()
);
"""


def schema_name(projection: str, generation: int) -> str:
    return migrations.identifier(f"{projection}_g{generation}")


_migrated: set[int] = set()


async def live(pool: asyncpg.Pool, projection: str) -> int:
    if id(pool) not in _migrated:
        await migrations.apply(pool, META, DDL)
        _migrated.add(id(pool))
    return await pool.fetchval(
        f"INSERT INTO {META}.generations (projection, live) VALUES ($1, 1) "
        "ON CONFLICT (projection) DO UPDATE SET projection = EXCLUDED.projection RETURNING live",
        projection,
    )


async def live_schema(pool: asyncpg.Pool, projection: str) -> str:
    return schema_name(projection, await live(pool, projection))


async def swap(pool: asyncpg.Pool, projection: str, generation: int) -> None:
    await pool.execute(
        f"UPDATE {META}.generations SET live = $2, swapped_at = now() WHERE projection = $1",
        projection,
        generation,
    )


async def create_schema(pool: asyncpg.Pool, schema: str, ddl: str) -> None:
    await migrations.apply(pool, schema, ddl)


async def drop_schema(pool: asyncpg.Pool, schema: str) -> None:
    await pool.execute(f"DROP SCHEMA IF EXISTS {migrations.identifier(schema)} CASCADE")

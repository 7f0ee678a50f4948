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


async def live_table(conn: asyncpg.Connection, projection: str, table: str) -> str | None:
    """`<schema>.<table>` of the live generation, read on the caller's connection (inside its
    transaction); None while the projection or that table does not exist yet."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{META}.generations"):
        return None
    return await conn.fetchval(
        f"SELECT to_regclass(format('%s_g%s.%s', projection, live, $2::text))::text "
        f"FROM {META}.generations WHERE projection = $1",  # the name `schema_name` gives
        projection,
        migrations.identifier(table),
    )


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

"""A projection or a job reads a station from the service's one directory, on its own
connection and inside its own transaction (`station_directory.station`)."""

from __future__ import annotations

from shegong_runtime import generations
from shegong_runtime.station_directory import KnownStations, station


async def test_a_station_is_read_from_the_live_generation_of_the_directory(pool, unique):
    service = unique("dir").replace("-", "_")
    known = KnownStations(service)
    async with pool.acquire() as conn, conn.transaction():
        assert await station(conn, service, "xigu-fulilu") is None  # no directory yet
    live = await generations.live(pool, known.name)
    schema = generations.schema_name(known.name, live)
    async with pool.acquire() as conn, conn.transaction():
        assert await station(conn, service, "xigu-fulilu") is None  # its tables not made yet
    await generations.create_schema(pool, schema, known.ddl)
    await pool.execute(
        f"INSERT INTO {schema}.stations VALUES ($1, $2, $3, $4, $5)",
        "xigu-fulilu",
        "西固区福利路街道社工站",
        "xigu",
        "西固区",
        "兰州市",
    )
    async with pool.acquire() as conn, conn.transaction():
        row = await station(conn, service, "xigu-fulilu")
        assert row is not None and (row["district_id"], row["district_name"]) == ("xigu", "西固区")
        assert await station(conn, service, "honggu-haishiwan") is None
        assert await conn.fetchval("SELECT 1") == 1  # the transaction is still usable

    nxt = generations.schema_name(known.name, live + 1)  # a rebuild swapped in: read from there
    await generations.create_schema(pool, nxt, known.ddl)
    await generations.swap(pool, known.name, live + 1)
    async with pool.acquire() as conn, conn.transaction():
        assert await station(conn, service, "xigu-fulilu") is None
    for s in (schema, nxt):
        await generations.drop_schema(pool, s)

"""A data key exists only once a command that sealed with it is appended: inside a command the
first key of a subject waits in memory, and the append transaction stores it."""

import asyncio

import pytest
from shegong_runtime import crypto
from shegong_runtime.crypto import KeyStore, SubjectErased
from shegong_runtime.settings import Settings

MASTER = Settings().master_key


@pytest.fixture
async def keys(pool, unique):
    store = KeyStore(pool, unique("pending"), MASTER)
    await store.migrate()
    yield store
    await pool.execute(f"DROP SCHEMA {store.schema} CASCADE")


async def stored(keys, subject):
    return await keys.pool.fetchval(
        f"SELECT count(*) FROM {keys.schema}.subject_keys WHERE subject_id = $1", subject
    )


async def in_a_command(fn):  # a request's own context, as FastAPI gives each request
    async def run():
        crypto.begin_command()
        return await fn()

    return await asyncio.create_task(run())


async def test_a_key_sealed_in_a_command_is_stored_only_by_its_append_transaction(keys):
    async def command():
        sealed = await keys.seal("volunteer:v1", "张三")
        assert await stored(keys, "volunteer:v1") == 0  # refused now, nothing would remain
        assert await keys.open("volunteer:v1", sealed) == "张三"  # the same request may read it
        async with keys.pool.acquire() as conn, conn.transaction():
            subjects = await crypto.persist(conn, keys.schema, "station-a")
        return sealed, subjects

    sealed, subjects = await in_a_command(command)
    assert subjects == ["volunteer:v1"] and await stored(keys, "volunteer:v1") == 1
    assert await keys.open("volunteer:v1", sealed) == "张三"
    station = await keys.pool.fetchval(
        f"SELECT station_id FROM {keys.schema}.subject_keys WHERE subject_id = 'volunteer:v1'"
    )
    assert station == "station-a"


async def test_a_command_that_never_appends_leaves_no_key(keys):
    await in_a_command(lambda: keys.seal("org-contact:nobody", "李四"))
    assert await stored(keys, "org-contact:nobody") == 0


async def test_two_commands_creating_the_same_first_key_race_and_one_loses(keys):
    async def first_key():
        await keys.seal("recipient:r1", "王五")
        return crypto.current()

    a, b = await in_a_command(first_key), await in_a_command(first_key)
    async with keys.pool.acquire() as conn:
        crypto._sealing.set(a)
        async with conn.transaction():
            await crypto.persist(conn, keys.schema)
        crypto._sealing.set(b)
        with pytest.raises(crypto.KeyRaced):
            async with conn.transaction():
                await crypto.persist(conn, keys.schema)
        crypto._sealing.set(None)


async def test_an_erasure_between_sealing_and_appending_wins(keys):
    async def command():
        await keys.seal("household:h1", "赵六")
        await keys.erase("household:h1")
        async with keys.pool.acquire() as conn, conn.transaction():
            await crypto.persist(conn, keys.schema)

    with pytest.raises(SubjectErased):
        await in_a_command(command)
    assert await stored(keys, "household:h1") == 0

"""Rotating the master key: data keys re-wrapped, sealed values still open, nothing half-done."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag
from shegong_runtime.crypto import KeyStore
from shegong_runtime.ops.keys import WrongMasterKey, generate, rotate


@pytest.fixture
async def store(pool):
    schema = f"ops_keys_{uuid.uuid4().hex[:8]}"
    old = generate()
    keys = KeyStore(pool, schema, old)
    await keys.migrate()
    yield schema, old, keys
    await pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_rotation_rewraps_every_data_key_so_sealed_values_open_with_the_new_key_only(
    pool, store
):
    schema, old, keys = store
    sealed = await keys.seal("household:h-1", "王阿姨 13800000000")
    await keys.seal("household:h-2", "李大爷")
    await keys.erase("household:h-2")
    new = generate()
    done = await rotate(pool, schema, old, new)
    assert (done.rewrapped, done.already_new) == (1, 0)
    assert await KeyStore(pool, schema, new).open("household:h-1", sealed) == "王阿姨 13800000000"
    with pytest.raises(InvalidTag):
        await KeyStore(pool, schema, old).open("household:h-1", sealed)
    assert (
        await KeyStore(pool, schema, new).open("household:h-2", "sealed:v1:AAAA") is None
    )  # erased stays erased
    again = await rotate(pool, schema, old, new)  # an interrupted rotation can run again
    assert (again.rewrapped, again.already_new) == (0, 1)


async def test_a_wrong_old_key_changes_nothing(pool, store):
    schema, _old, keys = store
    sealed = await keys.seal("volunteer:v-1", "张志愿")
    with pytest.raises(WrongMasterKey, match="volunteer:v-1"):
        await rotate(pool, schema, generate(), generate())
    assert await keys.open("volunteer:v-1", sealed) == "张志愿"

"""The reliability suite's restore scenarios (tests/reliability/restore.py): after a store
restored behind its streams, streams restored behind the store and a read model dropped,
nothing acknowledged is lost, nothing is duplicated, no version is reused, erasures stay in
force and the read model equals the store. `bench/recovery.py` prints the same table."""

import pytest

from .restore import run, table


@pytest.mark.timeout(600)
async def test_restores_lose_duplicate_and_reuse_nothing(database_url, nats_url, tmp_path):
    figures = await run(database_url, nats_url, tmp_path)
    print(table(figures))
    for f in figures:
        assert f.events_before > 10, f
        assert f.zeros() == dict.fromkeys(f.zeros(), 0), f

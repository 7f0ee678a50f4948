"""Guarantee 10, recovery loses nothing: PostgreSQL restored (pg_dump, pg_restore --clean) from a
dump taken before the last commands, the streams intact, and no manual step. The service gives
its store back every event the stream holds before it takes a command, reuses no version,
keeps the people erased since the dump erased, and takes commands again."""

import uuid
from collections import Counter

import nats
import pytest
from shegong_runtime import identity
from shegong_runtime.crypto import REDACTED
from shegong_runtime.eventstore import EventStore
from shegong_runtime.reconcile import StoreForked, reconcile
from shegong_testing.fixtures import eventually

from .helpers import dump, erase, published, register, relayed, restore, retier, stored, visits


@pytest.mark.timeout(300)
async def test_a_restore_behind_the_stream_gets_every_event_back_and_forks_nothing(
    database_url, nats_url, pool, tmp_path
):
    station = f"rec-{uuid.uuid4().hex[:8]}"
    backup = tmp_path / "visits.dump"
    async with visits(database_url, nats_url, station) as client:
        # the week before the backup: households registered and tiered
        before = [await register(client, station, f"户主{i}") for i in range(4)]
        for hid in before:
            assert (await retier(client, hid, "high")).status_code == 200
        await relayed(pool, nats_url, station)
        await dump(database_url, backup)
        at_dump = await stored(pool, station)
        # the last commands after it: new households, new versions, one person erased
        after = [await register(client, station, f"新户{i}") for i in range(3)]
        for hid in before[:3]:
            assert (await retier(client, hid, "key")).status_code == 200
        assert (await erase(client, before[3])).status_code == 200
        await relayed(pool, nats_url, station)
        lost_by_the_dump = len(await stored(pool, station)) - len(at_dump)
        epoch_before = await identity.current(pool, "visits")
    assert lost_by_the_dump >= 8

    # the stack stopped, the dump restored over the live database, no manual step
    await restore(database_url, backup)
    assert await stored(pool, station) == at_dump
    assert await pool.fetchval(
        "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1", f"household:{before[3]}"
    ), "the dump brought the erased person's key back"

    async with visits(database_url, nats_url, station) as client:
        # every event the stream holds is back in the store, with its id and version
        held = await stored(pool, station)
        stream = await published(nats_url, station)
        assert {(e.stream_id, e.aggregate_version): str(e.event_id) for _, e in stream} == held
        # the person erased after the dump stays erased: key gone, data redacted, no export
        assert not await pool.fetchval(
            "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1",
            f"household:{before[3]}",
        )
        erased = (await client.get(f"/households/{before[3]}")).json()
        assert erased["erased"] is True and erased["head_name"] == REDACTED
        assert (await client.get(f"/households/{before[3]}/export")).status_code == 409
        # households registered after the dump answer, with their history
        for hid in after:
            assert (await client.get(f"/households/{hid}")).status_code == 200
        # commands after the restore succeed, at versions the stream never had
        for hid in [*before[:3], *after]:
            r = await retier(client, hid, "general")
            assert r.status_code == 200, r.text
        await relayed(pool, nats_url, station)
        stream = await published(nats_url, station)
        versions = Counter((e.stream_id, e.aggregate_version) for _, e in stream)
        assert [k for k, n in versions.items() if n > 1] == []  # no version with two events
        assert {(e.stream_id, e.aggregate_version): str(e.event_id) for _, e in stream} == (
            await stored(pool, station)
        )
        # the restored store is known as one: a new epoch, carried by what it publishes now
        epochs = await identity.history(pool, "visits")
        assert epochs[-1]["reason"] == identity.RESTORE_DETECTED
        assert epochs[-1]["epoch"] != epoch_before

        async def newest_carries_the_new_epoch() -> bool:
            return await _last_epoch(nats_url) == str(epochs[-1]["epoch"])

        await eventually(newest_carries_the_new_epoch)


async def _last_epoch(nats_url: str) -> str:
    import nats

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        last = (await js.stream_info("SW_VISITS")).state.last_seq
        msg = await js.get_msg("SW_VISITS", last, direct=True)
        return (msg.headers or {}).get(identity.HEADER, "")
    finally:
        await nc.close()


async def test_a_version_the_store_holds_with_another_event_stops_the_start_naming_it(
    database_url, nats_url, pool, nc
):
    station = f"fork-{uuid.uuid4().hex[:8]}"
    async with visits(database_url, nats_url, station) as client:
        hid = await register(client, station, "分叉户")
        await relayed(pool, nats_url, station)
    # a store that took another event at the version the stream holds (what a restore
    # without reconciliation made of the next command): never served silently
    await pool.execute(
        "UPDATE visits.events SET event_id = $1 WHERE stream_id = $2 AND version = 1",
        uuid.uuid4(),
        f"household-{hid}",
    )
    await pool.execute("UPDATE visits.relay_checkpoint SET stream_seq = 0, partition_seq = 0")
    with pytest.raises(StoreForked) as refused:
        await reconcile(EventStore(pool, "visits"), nc.jetstream(), "visits")
    assert "SW_VISITS sequence" in str(refused.value)
    assert f"household-{hid} version 1" in str(refused.value)
    with pytest.raises(StoreForked):
        async with visits(database_url, nats_url, station):
            pass
    await pool.execute(  # leave the store as the stream has it, for the tests after this one
        "DELETE FROM visits.events WHERE stream_id = $1 AND version = 1", f"household-{hid}"
    )
    assert (await reconcile(EventStore(pool, "visits"), nc.jetstream(), "visits")).imported == 1


async def test_shegong_reconcile_reports_what_it_compared(stack_env, nats_url, pool):
    import json
    import subprocess
    import sys

    station = f"cli-{uuid.uuid4().hex[:8]}"
    async with visits(stack_env["DATABASE_URL"], nats_url, station) as client:
        await register(client, station, "命令行户")
        await relayed(pool, nats_url, station)
    done = subprocess.run(
        [sys.executable, "-m", "shegong_runtime.cli", "reconcile", "visits", "--full", "--json"],
        env=stack_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["stream"] == "SW_VISITS" and found["scanned_from"] == 0
    assert found["scanned"] >= len(await published(nats_url, station)) > 0
    assert found["imported"] == 0


async def test_an_event_written_back_is_not_published_again(stack_env, nats_url, pool):
    """A store that lost an event its relay published long ago (a row deleted by hand, a table
    restored alone) gets it back from a full reconcile; the relay, running with its checkpoint
    past that event, does not publish it a second time."""
    station = f"back-{uuid.uuid4().hex[:8]}"
    async with visits(stack_env["DATABASE_URL"], nats_url, station) as client:
        hid = await register(client, station, "回写户")
        assert (await retier(client, hid, "high")).status_code == 200
        await relayed(pool, nats_url, station)
        first = await pool.fetchrow(
            "SELECT event_id FROM visits.events WHERE stream_id = $1 AND version = 1",
            f"household-{hid}",
        )
        await pool.execute("DELETE FROM visits.events WHERE event_id = $1", first["event_id"])
        nc = await nats.connect(nats_url)
        try:
            done = await reconcile(EventStore(pool, "visits"), nc.jetstream(), "visits", full=True)
        finally:
            await nc.close()
        assert done.imported == 1
        back = await pool.fetchrow(
            "SELECT tx_id::text AS tx FROM visits.events WHERE event_id = $1", first["event_id"]
        )
        assert back["tx"] == "0"  # below every relay cursor
        assert (await retier(client, hid, "general")).status_code == 200  # wakes the relay
        await relayed(pool, nats_url, station)
        ids = Counter(str(e.event_id) for _, e in await published(nats_url, station))
        assert ids[str(first["event_id"])] == 1 and max(ids.values()) == 1

"""Snapshots are a cache that can only be right or absent: the state from a snapshot and the
events after it equals the full replay; a snapshot taken under another decider or upcaster
code key, or at an event the stream no longer holds, is never used."""

import pickle
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cityyear.sink import HistoryKeys, Sink, Streams
from shegong_runtime import commands
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings
from shegong_runtime.snapshots import Snapshots, code_key
from shegong_visits import config
from shegong_visits.domain import commands as c


@pytest.fixture
async def store(pool, unique):
    s = EventStore(pool, unique("snap"))
    await s.migrate()
    keys = HistoryKeys(pool, s.schema, Settings(service="visits").master_key)
    await keys.migrate()
    s.snapshots = Snapshots(s, every=50)
    s.sink = Sink(s, keys)  # type: ignore[attr-defined]  # the tests' writer, carried by the store
    return s


def visit(n: int, at: datetime) -> c.RecordVisit:
    return c.RecordVisit(f"v{n}", at, "home_visit", ("sw-1",))


async def household(store, events: int) -> str:
    """A household stream of `events` events, written through its decider."""
    hid, start = f"h-{uuid.uuid4().hex[:8]}", datetime.now(UTC) - timedelta(days=events + 2)
    streams = Streams(config.households(), store.sink, "test")
    seal = await store.sink.keys.seal(f"household:{hid}", "某某")
    register = c.RegisterHousehold(hid, ("other",), None, (), seal, None, None, None, start)
    await streams.run(hid, register, station_id="st-1", at=start)
    for n in range(events - 2):
        at = start + timedelta(days=n + 1)
        await streams.run(hid, visit(n, at), station_id="st-1", at=at)
    await store.sink.flush()
    return hid


async def replayed(store, hid):
    history = await store.load(f"household-{hid}")
    return config.households().fold(history), len(history)


async def stored(store, hid):
    return await store.pool.fetchrow(
        f"SELECT code_key, version FROM {store.schema}.snapshots WHERE stream_id = $1",
        f"household-{hid}",
    )


async def test_state_from_a_snapshot_and_its_tail_equals_the_full_replay(store):
    hid = await household(store, 120)
    decider = config.households()
    assert await commands.load(store, decider, hid) == await replayed(store, hid)
    assert dict(await stored(store, hid)) == {"code_key": code_key(decider), "version": 120}
    ctx = commands.CommandContext(actor="test", correlation_id=uuid.uuid4())
    for n in range(7):  # commands through the one command path, on the snapshot's tail
        await commands.send(
            store,
            commands.Order(
                decider,
                hid,
                visit(1000 + n, datetime.now(UTC) - timedelta(minutes=10 - n)),
                commands.changed(200, "household_id"),
                station_id="st-1",
            ),
            ctx,
        )
    state, version = await commands.load(store, decider, hid)
    assert (state, version) == await replayed(store, hid) and version == 127
    assert len(state.recorded) == 118 + 7


async def test_a_snapshot_is_used_only_under_its_own_code_key(store):
    hid = await household(store, 60)
    decider = config.households()
    truth = await commands.load(store, decider, hid)
    key = code_key(decider)
    # a snapshot that says something else, at the right version and event: it is what is read
    marked = replace(truth[0], community="from-the-snapshot")
    row = await stored(store, hid)
    await store.pool.execute(
        f"UPDATE {store.schema}.snapshots SET state = $2 WHERE stream_id = $1",
        f"household-{hid}",
        pickle.dumps(marked),
    )
    assert row["version"] == 60
    assert (await store.snapshots.load(decider, hid, key))[0].community == "from-the-snapshot"
    # the decider or an upcaster changed: the old snapshot is discarded, the stream replayed
    assert await store.snapshots.load(decider, hid, key="another-release") == truth
    assert (await stored(store, hid))["code_key"] == "another-release"
    assert await store.snapshots.load(decider, hid, key) == truth  # and taken again


async def test_a_snapshot_ahead_of_a_restored_stream_is_not_used(store):
    hid = await household(store, 80)
    decider = config.households()
    await commands.load(store, decider, hid)  # snapshot at 80
    # the store goes back (a restore): the last 30 events are gone, others written instead
    await store.pool.execute(
        f"DELETE FROM {store.schema}.events WHERE stream_id = $1 AND version > 50",
        f"household-{hid}",
    )
    assert await commands.load(store, decider, hid) == await replayed(store, hid)
    assert (await commands.load(store, decider, hid))[1] == 50


async def test_an_erased_stream_keeps_no_snapshot_and_takes_none_again(store):
    hid = await household(store, 70)
    decider = config.households()
    await commands.load(store, decider, hid)
    assert (await stored(store, hid))["version"] == 70
    async with store.transaction() as conn:  # as the erasure's transaction does
        await store.snapshots.forget(f"household-{hid}", conn)
    assert await commands.load(store, decider, hid) == await replayed(store, hid)
    row = await store.pool.fetchrow(
        f"SELECT code_key, length(state) AS size FROM {store.schema}.snapshots "
        "WHERE stream_id = $1",
        f"household-{hid}",
    )
    assert dict(row) == {"code_key": "erased", "size": 0}

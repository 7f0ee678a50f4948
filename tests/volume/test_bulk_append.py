"""`EventStore.append_bulk`, the generator's and an import's path, keeps `append`'s invariants:
versions run on without gaps, a raced or stale batch writes nothing, and the rows take the
transaction's id and positions in batch order, which is the order the relay reads."""

import pytest
from shegong_runtime.eventstore import ConcurrencyConflict, EventStore, Position
from shegong_testing.fixtures import eventually
from shegong_testing.probe import probe_event


@pytest.fixture
async def store(pool, unique):
    s = EventStore(pool, unique("bulk"))
    await s.migrate()
    return s


def at(agg: str, version: int, amount: int = 1):
    return probe_event(agg, amount).model_copy(update={"aggregate_version": version})


async def bulk(store, events):
    async with store.transaction() as conn:
        return await store.append_bulk(events, conn)


async def test_a_bulk_batch_of_several_streams_is_read_by_the_relay_in_batch_order(store, unique):
    a, b = unique("a"), unique("b")
    await store.append(f"probe-{a}", [probe_event(a, 0)], 0)
    batch = [at(b, 1, 10), at(a, 2, 11), at(b, 2, 12), at(a, 3, 13)]
    assert await bulk(store, batch) == 4

    async def all_read():  # a transaction open elsewhere on the server holds the horizon back
        read = await store.read_since(Position())
        return read if len(read) == 5 else None

    read = await eventually(all_read, timeout=60)
    assert [e.envelope.event_id for e in read][1:] == [e.event_id for e in batch]
    assert len({e.position.tx_id for e in read[1:]}) == 1  # one transaction
    assert [e.aggregate_version for e in await store.load(f"probe-{a}")] == [1, 2, 3]
    assert [e.data["amount"] for e in await store.load(f"probe-{b}")] == [10, 12]


async def test_a_batch_that_would_leave_a_gap_or_repeat_a_version_writes_nothing(store, unique):
    a, b = unique("a"), unique("b")
    await store.append(f"probe-{a}", [probe_event(a)], 0)
    with pytest.raises(ConcurrencyConflict) as repeated:
        await bulk(store, [at(b, 1), at(a, 1)])  # a is at 1 already
    assert repeated.value.current == 1
    with pytest.raises(ConcurrencyConflict):
        await bulk(store, [at(b, 1), at(a, 3)])  # a would skip version 2
    with pytest.raises(ValueError, match="version 3 after 1"):
        await bulk(store, [at(b, 1), at(b, 3)])  # a gap inside the batch
    assert await store.load(f"probe-{b}") == []
    assert len(await store.load(f"probe-{a}")) == 1


async def test_bulk_append_outside_a_transaction_is_refused(store, pool, unique):
    async with pool.acquire() as conn:
        with pytest.raises(ValueError, match="inside the caller's transaction"):
            await store.append_bulk([at(unique("a"), 1)], conn)

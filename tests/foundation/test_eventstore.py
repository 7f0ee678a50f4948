"""Guarantees 1 and 2, and the gap-safe global order the relay reads."""

import asyncio

import pytest
from shegong_runtime.eventstore import ConcurrencyConflict, EventStore, Position
from shegong_testing.probe import probe_event


@pytest.fixture
async def store(pool, unique):
    s = EventStore(pool, unique("es"))
    await s.migrate()
    return s


async def test_appended_events_are_committed_when_append_returns(store, unique):
    agg = unique("probe")
    await store.append(f"probe-{agg}", [probe_event(agg, 3), probe_event(agg, 4)], 0)
    loaded = await store.load(f"probe-{agg}")
    assert [e.aggregate_version for e in loaded] == [1, 2]
    assert [e.data["amount"] for e in loaded] == [3, 4]


async def test_second_writer_at_same_expected_version_gets_conflict_with_current_version(
    store, unique
):
    agg = unique("probe")
    stream = f"probe-{agg}"
    await store.append(stream, [probe_event(agg)], 0)
    results = await asyncio.gather(
        *(store.append(stream, [probe_event(agg, i)], 1) for i in range(8)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert len(winners) == 1 and len(losers) == 7
    assert all(c.current == 2 and c.expected == 1 for c in losers)
    assert [e.aggregate_version for e in await store.load(stream)] == [1, 2]


async def test_append_with_a_stale_or_future_version_is_refused(store, unique):
    agg = unique("probe")
    stream = f"probe-{agg}"
    await store.append(stream, [probe_event(agg), probe_event(agg)], 0)
    with pytest.raises(ConcurrencyConflict) as stale:
        await store.append(stream, [probe_event(agg)], 1)
    with pytest.raises(ConcurrencyConflict) as future:
        await store.append(stream, [probe_event(agg)], 5)
    assert stale.value.current == future.value.current == 2
    assert len(await store.load(stream)) == 2


async def test_event_of_another_stream_is_refused_and_nothing_is_written(store, unique):
    a, b = unique("probe"), unique("probe")
    with pytest.raises(ValueError, match="belongs to"):
        await store.append(f"probe-{a}", [probe_event(a), probe_event(b)], 0)
    assert await store.load(f"probe-{a}") == []


async def test_slow_transaction_with_lower_position_is_read_after_it_commits(store, pool, unique):
    """The bigserial trap: a reader that takes position > last seen would skip the slow writer."""
    slow_agg, fast_agg = unique("slow"), unique("fast")
    cursor = Position()
    async with pool.acquire() as slow_conn:
        slow_tx = slow_conn.transaction()
        await slow_tx.start()
        await store.append(f"probe-{slow_agg}", [probe_event(slow_agg)], 0, conn=slow_conn)
        await store.append(f"probe-{fast_agg}", [probe_event(fast_agg)], 0)
        seen = await store.read_since(cursor)
        assert [e.envelope.aggregate_id for e in seen] == []  # the slow one holds the horizon
        await slow_tx.commit()
    seen = await store.read_since(cursor)
    ids = [e.envelope.aggregate_id for e in seen]
    assert set(ids) == {slow_agg, fast_agg}
    slow_pos = next(e.position for e in seen if e.envelope.aggregate_id == slow_agg)
    fast_pos = next(e.position for e in seen if e.envelope.aggregate_id == fast_agg)
    assert slow_pos.position < fast_pos.position  # it did take the lower position


async def test_reading_in_pages_returns_every_event_once_in_order(store, unique):
    aggs = [unique("probe") for _ in range(5)]
    for agg in aggs:
        for v in range(3):
            await store.append(f"probe-{agg}", [probe_event(agg, v)], v)
    cursor, seen = Position(), []
    while page := await store.read_since(cursor, limit=4):
        seen.extend(page)
        cursor = page[-1].position
    assert len(seen) == 15 and len({e.envelope.event_id for e in seen}) == 15
    for agg in aggs:
        assert [e.envelope.aggregate_version for e in seen if e.envelope.aggregate_id == agg] == [
            1,
            2,
            3,
        ]

"""Guarantees 1 and 2, and the gap-safe global order the relay reads."""

import asyncio
import json

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


async def test_an_append_at_a_loaded_version_still_loses_a_race_with_the_current_version(
    store, unique
):
    """The command path skips the gap check (its version was loaded, versions never go
    back): the unique (stream, version) alone must still refuse every loser, once per race."""
    agg = unique("probe")
    stream = f"probe-{agg}"
    await store.append(stream, [probe_event(agg)], 0, loaded=True)
    results = await asyncio.gather(
        *(store.append(stream, [probe_event(agg, i)], 1, loaded=True) for i in range(8)),
        return_exceptions=True,
    )
    losers = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert len(losers) == 7 and all(c.current == 2 and c.expected == 1 for c in losers)
    assert [e.aggregate_version for e in await store.load(stream)] == [1, 2]


async def test_an_append_on_a_held_connection_commits_by_itself_and_wakes_the_relay(
    store, pool, unique
):
    woken: list[bool] = []
    store.on_commit(lambda: woken.append(True))
    agg = unique("probe")
    async with pool.acquire() as conn:
        await store.append(f"probe-{agg}", [probe_event(agg)], 0, conn=conn, loaded=True)
        assert not conn.is_in_transaction()
    assert woken == [True]
    async with pool.acquire() as other:  # committed: another session sees it at once
        assert (
            await other.fetchval(
                f"SELECT count(*) FROM {store.schema}.events WHERE stream_id = $1", f"probe-{agg}"
            )
            == 1
        )


async def test_the_event_log_shows_every_field_of_the_envelope_stored_once(store, unique):
    agg = unique("probe")
    [event] = await store.append(f"probe-{agg}", [probe_event(agg, 7, "note")], 0)
    row = await store.pool.fetchrow(
        f"SELECT * FROM {store.schema}.event_log WHERE event_id = $1", event.event_id
    )
    assert json.loads(row["data"]) == {"amount": 7, "note": "note"}
    assert (row["aggregate_type"], row["aggregate_version"], row["actor"]) == ("probe", 1, "probe")
    assert (row["correlation_id"], row["occurred_at"]) == (event.correlation_id, event.occurred_at)
    columns = {
        r["column_name"]
        for r in await store.pool.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = $1 AND table_name = 'events'",
            store.schema,
        )
    }
    assert "data" not in columns and "envelope" in columns


async def test_a_store_of_the_old_shape_is_migrated_and_keeps_its_events(pool, unique):
    """Stores made before kept every envelope field twice (the data as jsonb): a start drops
    the copies; the events, read back from their envelopes, are unchanged."""
    schema = unique("old")
    await pool.execute(
        f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.events (position bigserial NOT NULL, "
        "tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), stream_id text NOT NULL, "
        "version integer NOT NULL, event_id uuid PRIMARY KEY, event_type text NOT NULL, "
        "schema_version integer NOT NULL, aggregate_type text NOT NULL, aggregate_id text NOT NULL, "
        "aggregate_version integer NOT NULL, station_id text NOT NULL, "
        "occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL, "
        "correlation_id uuid NOT NULL, causation_id uuid, actor text NOT NULL, data jsonb NOT NULL, "
        "envelope text NOT NULL, UNIQUE (stream_id, version))"
    )
    agg = unique("probe")
    old = probe_event(agg, 5).model_copy(update={"aggregate_version": 1})
    await pool.execute(
        f"INSERT INTO {schema}.events (stream_id, version, event_id, event_type, schema_version, "
        "aggregate_type, aggregate_id, aggregate_version, station_id, occurred_at, recorded_at, "
        "correlation_id, actor, data, envelope) "
        "VALUES ($1, 1, $2, $3, 1, 'probe', $4, 1, $5, $6, $7, $8, 'probe', $9::jsonb, $10)",
        f"probe-{agg}",
        old.event_id,
        old.event_type,
        agg,
        old.station_id,
        old.occurred_at,
        old.recorded_at,
        old.correlation_id,
        json.dumps(old.data),
        old.model_dump_json(),
    )
    store = EventStore(pool, schema)
    await store.migrate()
    await store.migrate()  # a second start finds nothing to drop
    assert await store.load(f"probe-{agg}") == [old]
    await store.append(f"probe-{agg}", [probe_event(agg, 6)], 1, loaded=True)
    assert [e.data["amount"] for e in await store.load(f"probe-{agg}")] == [5, 6]


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

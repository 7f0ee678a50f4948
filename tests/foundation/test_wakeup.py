"""No polling floor: a commit wakes the relay, and a projection takes a message as soon as it is there.

Each test sets the fallback poll or fetch time-out far above its deadline, so only the wake-up
can make it pass; the deadlines are generous (a busy machine), never a measure of speed.
"""

import asyncio

import asyncpg
import pytest
from shegong_runtime import bus, generations
from shegong_runtime.eventstore import EventStore
from shegong_runtime.projection import ProjectionRunner
from shegong_runtime.relay import Relay
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import ProbeTotals, probe_event

from .helpers import stream_envelopes

STREAM = "SW_PROBE"
SLEEPY = 120.0  # the fallback: far beyond every deadline below
DEADLINE = 15.0


@pytest.fixture
def settings(database_url, nats_url):
    return Settings(
        database_url=database_url,
        nats_url=nats_url,
        relay_idle_poll_s=SLEEPY,
        relay_lock_poll_s=0.2,
        projection_fetch_timeout_s=SLEEPY,
        projection_batch_size=50,
    )


@pytest.fixture
async def js(nc, settings):
    await bus.ensure_domain_streams(nc.jetstream(), ["probe"], settings)
    return nc.jetstream()


async def _in_stream(js, agg, count):
    envs = await stream_envelopes(js, STREAM, {agg})
    return envs if len(envs) >= count else None


async def _run(relay):
    stop = asyncio.Event()
    return stop, asyncio.create_task(relay.run(stop))


async def _stop(*runs):
    for stop, task in runs:
        stop.set()
    await asyncio.gather(*(task for _, task in runs))


async def test_a_command_committed_in_the_relays_process_wakes_it(pool, nc, js, settings, unique):
    store = EventStore(pool, unique("wake"))
    await store.migrate()
    relay = Relay(store, nc, "probe", settings)
    run = await _run(relay)
    agg = unique("agg")
    await eventually(lambda: relay.active)
    await asyncio.sleep(0.5)  # the relay found nothing and waits its (very long) idle poll
    async with store.transaction() as conn:  # how a command appends
        await store.append(f"probe-{agg}", [probe_event(agg, 0)], 0, conn=conn)
    await eventually(lambda: _in_stream(js, agg, 1), timeout=DEADLINE)
    await asyncio.sleep(0.5)
    await store.append(f"probe-{agg}", [probe_event(agg, 1)], 1)  # a lone append commits itself
    await eventually(lambda: _in_stream(js, agg, 2), timeout=DEADLINE)
    await _stop(run)


async def test_a_commit_on_another_replica_wakes_the_active_relay_by_notify(
    pool, nc, js, settings, unique
):
    schema = unique("wake")
    leader_store, other_store = EventStore(pool, schema), EventStore(pool, schema)
    await leader_store.migrate()
    leader = Relay(leader_store, nc, "probe", settings)
    first = await _run(leader)
    await eventually(lambda: leader.active)
    other = Relay(other_store, nc, "probe", settings)  # waits for the lock: a standby replica
    second = await _run(other)
    await eventually(lambda: other.running)
    await asyncio.sleep(0.5)
    agg = unique("agg")
    async with other_store.transaction() as conn:
        await other_store.append(f"probe-{agg}", [probe_event(agg, 0)], 0, conn=conn)
    await eventually(lambda: _in_stream(js, agg, 1), timeout=DEADLINE)
    assert leader.active and not other.active
    await _stop(first, second)


async def test_a_notify_from_any_session_wakes_the_relay(pool, nc, js, settings, unique):
    """What a replica of another process sends after its commit: `pg_notify` on the channel."""
    schema = unique("wake")
    store, writer = EventStore(pool, schema), EventStore(pool, schema)  # `writer` has no relay
    await store.migrate()
    relay = Relay(store, nc, "probe", settings)
    run = await _run(relay)
    await eventually(lambda: relay.active)
    await asyncio.sleep(0.5)
    agg = unique("agg")
    await writer.append(f"probe-{agg}", [probe_event(agg, 0)], 0)
    # the relay idles for minutes between polls here: only a wake-up publishes within the deadline
    await pool.execute("SELECT pg_notify($1, '')", f"shegong_{schema}")
    await eventually(lambda: _in_stream(js, agg, 1), timeout=DEADLINE)
    await _stop(run)


async def test_an_event_hidden_behind_a_running_transaction_is_published_when_it_ends(
    pool, nc, js, settings, unique, database_url
):
    """The gap-safe read leaves a commit unread while an older transaction runs; that one may
    end without signalling anybody (a projection's batch in the same database)."""
    store = EventStore(pool, unique("wake"))
    await store.migrate()
    relay = Relay(store, nc, "probe", settings)
    run = await _run(relay)
    await eventually(lambda: relay.active)
    blocker = await asyncpg.connect(database_url)
    try:
        older = blocker.transaction()
        await older.start()
        await blocker.execute("SELECT txid_current()")  # holds a transaction id below the append's
        agg = unique("agg")
        await store.append(
            f"probe-{agg}", [probe_event(agg, 0)], 0
        )  # wakes the relay: unreadable yet
        await asyncio.sleep(0.5)
        assert not await _in_stream(js, agg, 1), "read past a running older transaction"
        await older.commit()  # signals nobody
        await eventually(lambda: _in_stream(js, agg, 1), timeout=DEADLINE)
    finally:
        await blocker.close()
    await _stop(run)


async def _totals(pool, name, agg):
    schema = await generations.live_schema(pool, name)
    try:
        return await pool.fetchval(
            f"SELECT events FROM {schema}.totals WHERE aggregate_id = $1", agg
        )
    except asyncpg.UndefinedTableError:  # the projection has not created it yet
        return None


async def _publish(js, agg, version):
    env = probe_event(agg, version).model_copy(update={"aggregate_version": version})
    await bus.publish_event(
        js,
        f"sw.probe.probe-station.ProbeRecorded.{agg}",
        env.model_dump_json().encode(),
        headers={"Nats-Msg-Id": str(env.event_id)},
    )


async def test_an_idle_projection_applies_a_message_as_soon_as_it_is_there(
    pool, nc, js, settings, unique
):
    name, agg = unique("proj"), unique("agg")
    await _publish(js, agg, 1)
    runner = ProjectionRunner(ProbeTotals(name), pool, nc, settings, exclusive=True)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await eventually(lambda: _totals(pool, name, agg), timeout=DEADLINE)
        await asyncio.sleep(0.5)  # every unit now waits in a fetch of SLEEPY seconds
        await _publish(js, agg, 2)
        await eventually(lambda: _is(_totals(pool, name, agg), 2), timeout=DEADLINE)
        for v in range(3, 9):  # a burst: the first wakes the fetch, the rest follow with it
            await _publish(js, agg, v)
        await eventually(lambda: _is(_totals(pool, name, agg), 8), timeout=DEADLINE)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _is(value, expected):
    return (await value) == expected


async def test_an_append_inside_a_transaction_the_store_does_not_hold_wakes_the_relay_at_its_commit(
    pool, nc, js, settings, unique
):
    """A projection that journals its own events appends inside its batch's transaction (the
    notifications service): no store transaction signals that commit, the NOTIFY sent in it does."""
    store = EventStore(pool, unique("wake"))
    await store.migrate()
    relay = Relay(store, nc, "probe", settings)
    run = await _run(relay)
    await eventually(lambda: relay.active)
    await asyncio.sleep(0.5)  # the relay found nothing and waits its (very long) idle poll
    agg = unique("agg")
    async with pool.acquire() as conn, conn.transaction():
        journal = EventStore(conn, store.schema)  # as a projection's batch journals
        await journal.append(f"probe-{agg}", [probe_event(agg, 0)], 0, conn=conn)
        await asyncio.sleep(0.5)
        assert not await _in_stream(js, agg, 1), "published before its transaction committed"
    await eventually(lambda: _in_stream(js, agg, 1), timeout=DEADLINE)
    await _stop(run)

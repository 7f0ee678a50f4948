"""Guarantee 3: no dual write, no loss, no duplicate, per-aggregate order, one relay at a time."""

import asyncio
from contextlib import asynccontextmanager

import nats
import pytest
from shegong_runtime import bus
from shegong_runtime.eventstore import EventStore, Position
from shegong_runtime.relay import Relay
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import probe_event

from .helpers import Process, env_with, stream_envelopes, tmp_log

STREAM = "SW_PROBE"


@pytest.fixture
async def store(pool, unique):
    s = EventStore(pool, unique("relay"))
    await s.migrate()
    return s


async def append_history(store, aggs, per_agg):
    for v in range(per_agg):
        for agg in aggs:
            await store.append(f"probe-{agg}", [probe_event(agg, v)], v)


def assert_exactly_once_in_order(envs, aggs, per_agg):
    ids = [e["event_id"] for e in envs]
    assert len(ids) == len(set(ids)), "an event is in the stream twice"
    assert len(ids) == len(aggs) * per_agg, (
        f"expected {len(aggs) * per_agg} events, stream has {len(ids)}"
    )
    for agg in aggs:
        versions = [e["aggregate_version"] for e in envs if e["aggregate_id"] == agg]
        assert versions == list(range(1, per_agg + 1)), f"{agg} out of order: {versions}"


async def test_relay_publishes_every_event_once_in_aggregate_order_with_msg_id(
    store, nc, database_url, nats_url, unique
):
    settings = Settings(database_url=database_url, nats_url=nats_url, relay_batch_size=7)
    await bus.ensure_domain_streams(nc.jetstream(), ["probe"], settings)
    aggs = [unique("agg") for _ in range(4)]
    await append_history(store, aggs, 5)
    stop = asyncio.Event()
    relay = Relay(store, nc, "probe", settings)
    task = asyncio.create_task(relay.run(stop))
    js = nc.jetstream()
    envs = await eventually(lambda: _when_count(stream_envelopes(js, STREAM, set(aggs)), 20))
    stop.set()
    await task
    assert_exactly_once_in_order(envs, aggs, 5)
    msg = await js.get_last_msg(STREAM, f"sw.probe.probe-station.ProbeRecorded.{aggs[-1]}")
    assert msg.headers["Nats-Msg-Id"] == envs[-1]["event_id"]
    assert "Sw-Position" in msg.headers


async def _when_count(coro, n):
    envs = await coro
    return envs if len(envs) >= n else None


async def test_relay_killed_between_publish_and_checkpoint_and_restarted_after_duplicate_window(
    store, nc, stack_env, tmp_path, unique
):
    """A real process, SIGKILL after the publish acks and before the checkpoint; restart after
    the duplicate window (1 s here) has passed, so de-duplication alone cannot save it."""
    window = 1.0
    settings = Settings(stream_duplicate_window_s=window)
    js = nc.jetstream()
    await bus.ensure_stream(js, bus.domain_stream_config("probe", settings))
    aggs = [unique("agg") for _ in range(3)]
    await append_history(store, aggs, 4)

    env = env_with(stack_env, stream_duplicate_window_s=window, relay_batch_size=5)
    relay_args = ["relay", "--schema", store.schema, "--domain", "probe"]
    first = Process(relay_args, env, tmp_log(tmp_path, "relay1"), stall="relay.checkpoint:60")
    try:
        await eventually(lambda: first.saw("relay.checkpoint_pending"), timeout=30)
        first.kill()  # SIGKILL: the batch is in the stream, the checkpoint is not written
    finally:
        first.stop()
    published = await stream_envelopes(js, STREAM, set(aggs))
    checkpointed = await store.pool.fetchval(
        f"SELECT position FROM {store.schema}.relay_checkpoint WHERE relay = 'probe'"
    )
    assert len(published) >= 5 and checkpointed == 0  # in the stream, not in the checkpoint
    await asyncio.sleep(window + 1.0)  # the duplicate window has ended

    # more history while the relay was down
    for agg in aggs:
        await store.append(f"probe-{agg}", [probe_event(agg, 9)], 4)
    env = env_with(stack_env, stream_duplicate_window_s=window, relay_batch_size=5)
    second = Process(
        ["relay", "--schema", store.schema, "--domain", "probe"], env, tmp_log(tmp_path, "relay2")
    )
    try:
        envs = await eventually(
            lambda: _when_count(stream_envelopes(js, STREAM, set(aggs)), 15), timeout=30
        )
        await asyncio.sleep(1.0)  # give a faulty relay the chance to publish a duplicate
        envs = await stream_envelopes(js, STREAM, set(aggs))
    finally:
        second.stop()
    assert second.saw("relay.recovered")
    assert_exactly_once_in_order(envs, aggs, 5)


@asynccontextmanager
async def two_replicas(store, database_url, nats_url):
    """Two relays of one service, each on its own connection, both started."""
    settings = Settings(database_url=database_url, nats_url=nats_url, relay_lock_poll_s=0.1)
    conns = [await nats.connect(nats_url) for _ in range(2)]
    try:
        await bus.ensure_domain_streams(conns[0].jetstream(), ["probe"], settings)
        relays = [Relay(store, c, "probe", settings) for c in conns]
        stops = [asyncio.Event(), asyncio.Event()]
        tasks = [asyncio.create_task(r.run(s)) for r, s in zip(relays, stops)]
        await eventually(lambda: any(r.active for r in relays))
        yield relays, stops, tasks, conns[0].jetstream()
    finally:
        for c in conns:
            await c.close()


async def test_only_one_relay_publishes_and_a_waiting_one_takes_over(
    store, database_url, nats_url, unique
):
    async with two_replicas(store, database_url, nats_url) as (relays, stops, tasks, js):
        await asyncio.sleep(0.5)
        assert sum(r.active for r in relays) == 1
        leader = next(i for i, r in enumerate(relays) if r.active)
        aggs = [unique("agg")]
        await append_history(store, aggs, 3)
        await eventually(lambda: _when_count(stream_envelopes(js, STREAM, set(aggs)), 3))
        stops[leader].set()
        await tasks[leader]
        follower = relays[1 - leader]
        await eventually(lambda: follower.active)
        await append_history_from(store, aggs, 3, 2)
        envs = await eventually(lambda: _when_count(stream_envelopes(js, STREAM, set(aggs)), 5))
        assert_exactly_once_in_order(envs, aggs, 5)
        stops[1 - leader].set()
        await tasks[1 - leader]


async def append_history_from(store, aggs, start, count):
    for v in range(start, start + count):
        for agg in aggs:
            await store.append(f"probe-{agg}", [probe_event(agg, v)], v)


async def test_a_second_recovery_before_the_next_checkpoint_still_knows_what_the_stream_holds(
    store, nc, database_url, nats_url, unique
):
    """Events published by a relay that died unconfirmed; the next relay confirms one batch of
    them, fails, and recovers again: the rest must still be recognised, not published twice."""
    window = 0.5
    settings = Settings(
        database_url=database_url,
        nats_url=nats_url,
        relay_batch_size=5,
        stream_duplicate_window_s=window,
    )
    js = nc.jetstream()
    await bus.ensure_stream(js, bus.domain_stream_config("probe", settings))
    aggs = [unique("agg") for _ in range(2)]
    await append_history(store, aggs, 5)
    for stored in await store.read_since(Position()):  # what the dead relay got into the stream
        await js.publish(
            f"sw.probe.probe-station.ProbeRecorded.{stored.envelope.aggregate_id}",
            stored.envelope.model_dump_json().encode(),
            headers={
                "Nats-Msg-Id": str(stored.envelope.event_id),
                "Sw-Position": str(stored.position),
            },
        )
    await asyncio.sleep(window + 0.5)
    relay = Relay(store, nc, "probe", settings)
    await relay.recover()
    assert await relay.pump_once() == 5
    await relay.settle()  # one batch confirmed and checkpointed, the second not yet
    await relay.recover()  # as after a failed publish
    while await relay.pump_once():
        pass
    await relay.settle()
    assert_exactly_once_in_order(await stream_envelopes(js, STREAM, set(aggs)), aggs, 5)


async def test_a_relay_that_loses_its_lock_session_stops_and_another_takes_over(
    store, database_url, nats_url, unique
):
    async with two_replicas(store, database_url, nats_url) as (relays, stops, tasks, js):
        leader = next(i for i, r in enumerate(relays) if r.active)
        # an administrator (or an idle-session timeout) ends the leader's lock session
        await store.pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            "AND objid = hashtext($1)::oid AND granted",
            relays[leader].lock_key,
        )
        await eventually(lambda: relays[1 - leader].active, timeout=20)
        await asyncio.sleep(1.5)
        assert sum(r.active for r in relays) == 1, "two relays publish at once"
        aggs = [unique("agg")]
        await append_history(store, aggs, 4)
        envs = await eventually(lambda: _when_count(stream_envelopes(js, STREAM, set(aggs)), 4))
        assert_exactly_once_in_order(envs, aggs, 4)
        assert all(not t.done() for t in tasks), "a relay task died"
        for s in stops:
            s.set()
        await asyncio.gather(*tasks)


async def test_only_the_owner_of_a_domain_changes_its_streams_settings(nc, database_url, nats_url):
    js = nc.jetstream()
    owner = Settings(database_url=database_url, nats_url=nats_url, stream_duplicate_window_s=120)
    await bus.ensure_domain_streams(js, ["probe"], owner, owned=["probe"])
    stranger = Settings(database_url=database_url, nats_url=nats_url, stream_duplicate_window_s=5)
    await bus.ensure_domain_streams(js, ["probe"], stranger, owned=[])
    assert (await js.stream_info("SW_PROBE")).config.duplicate_window == 120
    await bus.ensure_domain_streams(js, ["probe"], stranger, owned=["probe"])
    assert (await js.stream_info("SW_PROBE")).config.duplicate_window == 5
    await bus.ensure_domain_streams(js, ["probe"], owner, owned=["probe"])

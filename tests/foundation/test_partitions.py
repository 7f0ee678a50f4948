"""Scale-out of projections: partitions by aggregate, one replica per partition at a time.

Per-aggregate order holds by construction (no deferral), replicas share and rebalance the
work, a replica killed mid-batch leaves the read model as one clean apply would, and a gap in
the stream is waited for, never skipped.
"""

import asyncio

import asyncpg
import pytest
import structlog
from shegong_runtime import bus, generations, metrics
from shegong_runtime.projection import ProjectionRunner
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import ProbeOrder

from .helpers import Process, env_with, tmp_log
from .test_projection import _versions_when, publish_history, publish_versions
from .test_projection import settings_for_probes as projection_settings


@pytest.fixture
def settings(database_url, nats_url):
    """The projection tests' settings, with leases that notice a replica come or go quickly."""
    return projection_settings(database_url, nats_url).model_copy(
        update={"projection_lease_poll_s": 0.3, "projection_member_ttl_s": 1.5}
    )


async def _orders(pool, name, aggs, n):
    schema = await generations.live_schema(pool, name)
    got = {}
    for agg in aggs:
        versions = await _versions_when(pool, schema, agg, n)
        if versions is None:
            return None
        got[agg] = versions
    return got


async def _start(runners):
    stop = asyncio.Event()
    return stop, [asyncio.create_task(r.run(stop)) for r in runners]


def _held(runner) -> set[str]:
    return set(runner.leases.held) if runner.leases else set()


@pytest.mark.parametrize("replicas", [1, 2, 3])
async def test_replicas_share_the_partitions_and_apply_every_aggregate_in_order_once(
    pool, nc, js, settings, unique, replicas
):
    name = unique("proj")
    aggs = [unique("agg") for _ in range(24)]
    runners = [ProjectionRunner(ProbeOrder(name), pool, nc, settings) for _ in range(replicas)]
    stop, tasks = await _start(runners)
    try:
        # the replicas settle on their shares, then the events come
        await eventually(
            lambda: all(_held(r) for r in runners) and sum(len(_held(r)) for r in runners) == 5,
            timeout=30,
        )
        await publish_history(js, aggs, 6)
        orders = await eventually(lambda: _orders(pool, name, aggs, 6), timeout=60)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert all(v == [1, 2, 3, 4, 5, 6] for v in orders.values())
    # each message of the partition stream was delivered about once: no deferrals, no redelivery
    in_stream = (await js.stream_info(bus.partition_stream_name("probe"))).state.messages
    received = sum(u.received for r in runners for u in r.consumers.values() if u.domain == "probe")
    assert in_stream <= received <= 1.1 * in_stream


async def test_a_replica_that_joins_or_leaves_rebalances_the_partitions(
    pool, nc, js, settings, unique
):
    name = unique("proj")
    first = ProjectionRunner(ProbeOrder(name), pool, nc, settings)
    stop_first, task_first = await _start([first])
    try:
        await eventually(lambda: len(_held(first)) == len(first.consumers), timeout=20)
        second = ProjectionRunner(ProbeOrder(name), pool, nc, settings)
        stop_second, task_second = await _start([second])
        share = -(-len(first.consumers) // 2)
        await eventually(
            lambda: (
                len(_held(first)) == share and len(_held(second)) == len(first.consumers) - share
            ),
            timeout=20,
        )
        assert not _held(first) & _held(second)
        stop_second.set()  # the second replica leaves: the first takes everything back
        await asyncio.gather(*task_second)
        await eventually(lambda: len(_held(first)) == len(first.consumers), timeout=20)
        # and what is published now still arrives
        agg = unique("agg")
        await publish_versions(js, agg, ["", ""])
        assert await eventually(lambda: _orders(pool, name, [agg], 2), timeout=30) == {agg: [1, 2]}
    finally:
        stop_first.set()
        await asyncio.gather(*task_first)


async def test_a_later_version_ahead_of_its_predecessor_waits_however_long_and_then_applies(
    pool, nc, js, database_url, nats_url, unique
):
    settings = Settings(
        database_url=database_url,
        nats_url=nats_url,
        projection_fetch_timeout_s=0.3,
        projection_lease_poll_s=0.3,
        projection_gap_alarm_s=1,
    )
    name, agg = unique("proj"), unique("agg")
    from shegong_testing.probe import probe_event

    first, second = (
        probe_event(agg, v).model_copy(update={"aggregate_version": v}) for v in (1, 2)
    )
    subject = f"sw.probe.probe-station.ProbeRecorded.{agg}"
    await bus.publish_event(
        js,
        subject,
        second.model_dump_json().encode(),
        headers={"Nats-Msg-Id": str(second.event_id)},
    )
    runner = ProjectionRunner(ProbeOrder(name), pool, nc, settings)
    stop, tasks = await _start([runner])
    try:
        schema = generations.schema_name(name, 1)
        await eventually(lambda: _parked(pool, schema, agg), timeout=30)
        with structlog.testing.capture_logs() as logs:
            await asyncio.sleep(6)  # alarms repeat; no timer takes the gap as final
        alarms = [
            e for e in logs if e["event"] == "projection.gap_open" and e.get("projection") == name
        ]
        assert len(alarms) >= 1 and all(e["waiting"] == 1 for e in alarms)
        assert await _versions_when(pool, schema, agg, 1) is None
        assert await _parked(pool, schema, agg)
        assert metrics.WAITING.labels(name)._value.get() == 1  # the alarm operators see
        await bus.publish_event(
            js,
            subject,
            first.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(first.event_id)},
        )
        assert await eventually(lambda: _versions_when(pool, schema, agg, 2), timeout=30) == [1, 2]
        assert not await _parked(pool, schema, agg)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def _members(pool, name, n):
    return (
        await pool.fetchval(
            f"SELECT count(*) FROM {generations.META}.members WHERE projection = $1", name
        )
        >= n
    )


async def _parked(pool, schema, agg):
    try:
        return await pool.fetchval(
            f"SELECT count(*) FROM {schema}.parked WHERE stream_id LIKE '%' || $1", agg
        )
    except asyncpg.UndefinedTableError:  # tables not created yet
        return 0


async def test_two_replicas_one_killed_mid_batch_end_equal_to_a_clean_single_apply(
    pool, js, stack_env, tmp_path, unique
):
    name = unique("proj")
    aggs = [unique("agg") for _ in range(12)]
    await publish_history(js, aggs, 8)
    args = ["project", "shegong_testing.probe:ProbeOrder", "--name", name]
    quick = {
        "projection_batch_size": 16,
        "projection_lease_poll_s": 0.3,
        "projection_member_ttl_s": 1.5,
    }
    doomed = Process(
        args,
        env_with(stack_env, **quick),
        tmp_log(tmp_path, "doomed"),
        stall="projection.mid_batch:60",
    )
    survivor = None
    try:
        await eventually(lambda: doomed.saw("projection.mid_batch"), timeout=45)
        # a second replica joins while the first holds its units with a batch half applied
        survivor = Process(args, env_with(stack_env, **quick), tmp_log(tmp_path, "survivor"))
        await eventually(lambda: _members(pool, name, 2), timeout=30)  # both heartbeat
        doomed.kill()  # SIGKILL with half a batch applied inside an open transaction
        orders = await eventually(lambda: _orders(pool, name, aggs, 8), timeout=60)
        assert orders == {agg: list(range(1, 9)) for agg in aggs}
        await asyncio.sleep(1)  # nothing applies twice afterwards either
        assert await _orders(pool, name, aggs, 8) == orders
    finally:
        doomed.stop()
        if survivor is not None:
            survivor.stop()


async def test_messages_taken_from_a_units_consumer_by_another_are_read_again_not_lost(
    pool, nc, js, settings, unique
):
    """A replica that lost its lease but has not noticed yet may still pull from the unit's
    consumer, which the new holder has re-created under the same name: the new holder sees its
    deliveries jump, and reads again from its checkpoint instead of moving past them."""
    name = unique("proj")
    runner = ProjectionRunner(ProbeOrder(name), pool, nc, settings, exclusive=True)
    stop, tasks = await _start([runner])
    try:
        await eventually(lambda: runner.consumers and runner.generation, timeout=20)
        unit = runner.consumers["probe.p0"]
        partitions = await bus.partitions(js, "probe")
        aggs: list[str] = []
        while len(aggs) < 6:
            agg = unique("agg")
            if bus.partition_of(agg, partitions) == 0:
                aggs.append(agg)
        thief = await js.pull_subscribe_bind(durable=unit.consumer, stream=unit.stream)
        await asyncio.sleep(0.5)  # the runner waits on its consumer too
        stolen = asyncio.create_task(thief.fetch(5, timeout=5))
        await publish_history(js, aggs, 4)
        taken = await stolen
        assert taken  # some deliveries went to the other client
        orders = await eventually(lambda: _orders(pool, name, aggs, 4), timeout=60)
        assert orders == {agg: [1, 2, 3, 4] for agg in aggs}
    finally:
        stop.set()
        await asyncio.gather(*tasks)

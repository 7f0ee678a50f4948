"""Guarantees 4, 5 and 6: idempotent consumers, poison to dead letter, rebuild beside live."""

import asyncio

import asyncpg
import pytest
from shegong_runtime import bus, deadletter, generations
from shegong_runtime.projection import ProjectionRunner, rebuild
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import ProbeTotals, probe_event

from .helpers import Process, env_with, tmp_log


def settings_for_probes(database_url, nats_url):
    return Settings(
        database_url=database_url,
        nats_url=nats_url,
        projection_batch_size=20,
        projection_max_attempts=3,
        projection_fetch_timeout_s=0.3,
    )


@pytest.fixture
def settings(database_url, nats_url):
    return settings_for_probes(database_url, nats_url)


async def publish_history(js, aggs, per_agg, note=""):
    """Events as the relay would publish them; returns the expected totals."""
    expected: dict[str, tuple[int, int]] = {}
    for v in range(1, per_agg + 1):
        for agg in aggs:
            env = probe_event(agg, v, note).model_copy(update={"aggregate_version": v})
            await bus.publish_event(
                js,
                f"sw.probe.probe-station.ProbeRecorded.{agg}",
                env.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(env.event_id)},
            )
            count, amount = expected.get(agg, (0, 0))
            expected[agg] = (count + 1, amount + v)
    return expected


async def totals(pool, name, aggs):
    schema = await generations.live_schema(pool, name)
    try:
        rows = await pool.fetch(
            f"SELECT aggregate_id, events, amount FROM {schema}.totals WHERE aggregate_id = any($1)",
            list(aggs),
        )
    except Exception:
        return {}
    return {r["aggregate_id"]: (r["events"], r["amount"]) for r in rows}


async def run_in_background(runner):
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    return stop, task


async def test_redelivered_batch_is_applied_once(pool, nc, js, settings, unique):
    name = unique("proj")
    aggs = [unique("agg") for _ in range(3)]
    expected = await publish_history(js, aggs, 4)
    runner = ProjectionRunner(ProbeTotals(name), pool, nc, settings)
    stop, task = await run_in_background(runner)
    await eventually(lambda: _equals(totals(pool, name, aggs), expected))
    stop.set()
    await task
    # the same events delivered again (a cursor reopened before its checkpoint, a replay):
    # the tracking rows make every one of them a no-op
    assert runner.generation is not None, "a runner that has run knows its generation"
    schema = generations.schema_name(name, runner.generation)
    await pool.execute(f"UPDATE {schema}.checkpoints SET stream_seq = 0")
    fresh = ProjectionRunner(ProbeTotals(name), pool, nc, settings, generation=runner.generation)
    stop, task = await run_in_background(fresh)
    await eventually(lambda: _all_read_again(fresh))
    stop.set()
    await task
    assert sum(u.received for u in fresh.consumers.values()) >= sum(e for e, _ in expected.values())
    assert await totals(pool, name, aggs) == expected


def _all_read_again(runner):
    units = [u for u in runner.consumers.values() if u.domain == "probe"]
    return (
        units
        and all(u.pending == 0 and u.stream_seq > 0 for u in units if u.received)
        and any(u.received for u in units)
    )


async def _equals(coro, expected):
    return (await coro) == expected


async def test_projection_killed_mid_batch_ends_equal_to_one_clean_apply(
    pool, js, stack_env, tmp_path, unique
):
    name = unique("proj")
    aggs = [unique("agg") for _ in range(5)]
    expected = await publish_history(js, aggs, 8)
    args = ["project", "shegong_testing.probe:ProbeTotals", "--name", name]
    env = env_with(stack_env, projection_batch_size=16)
    first = Process(args, env, tmp_log(tmp_path, "proj1"), stall="projection.mid_batch:60")
    try:
        await eventually(lambda: first.saw("projection.mid_batch"), timeout=30)
        first.kill()  # SIGKILL with half a batch applied inside an open transaction
    finally:
        first.stop()
    second = Process(
        args, env_with(stack_env, projection_batch_size=16), tmp_log(tmp_path, "proj2")
    )
    try:
        await eventually(lambda: _equals(totals(pool, name, aggs), expected), timeout=60)
    finally:
        second.stop()


async def test_poison_event_goes_to_dead_letter_and_later_events_still_apply(
    pool, nc, js, settings, unique
):
    name = unique("proj")
    good = [unique("agg") for _ in range(2)]
    bad = unique("bad")
    await publish_history(js, good[:1], 1)
    await publish_history(js, [bad], 1, note="poison pill")
    await bus.publish_event(
        js, "sw.probe.probe-station.ProbeRecorded.garbage", b"{not json", headers={}
    )
    expected_later = await publish_history(js, good[1:], 3)
    projection = ProbeTotals(name)
    runner = ProjectionRunner(projection, pool, nc, settings)
    stop, task = await run_in_background(runner)
    try:
        await eventually(lambda: _contains(totals(pool, name, good), expected_later), timeout=30)
        dead = await eventually(lambda: _dead_for(js, name, 2), timeout=30)
        reasons = sorted(d.reason for d in dead)
        assert any("probe poison" in r for r in reasons)
        assert any("Undecodable" in r for r in reasons)
        poisoned = next(d for d in dead if "probe poison" in d.reason)
        assert poisoned.attempts == settings.projection_max_attempts
        assert bad not in await totals(pool, name, [bad])

        # the operator fixes the cause and re-drives the dead letter: it applies once
        projection.poison_prefix = "no longer poison"
        await deadletter.redrive(js, poisoned.seq)
        await eventually(lambda: _contains(totals(pool, name, [bad]), {bad: (1, 1)}), timeout=30)
    finally:
        stop.set()
        await task


async def _contains(coro, expected):
    got = await coro
    return all(got.get(k) == v for k, v in expected.items())


async def _dead_of(js, name, agg):
    """This aggregate's dead letter (earlier tests' poison shares the probe stream)."""
    return next((d for d in await deadletter.list_dead(js, name) if agg in d.origin_subject), None)


async def _dead_for(js, name, n):
    dead = await deadletter.list_dead(js, name)
    return dead if len(dead) >= n else None


async def test_rebuild_beside_live_equals_live_and_swaps_without_downtime(
    pool, nc, js, settings, unique
):
    name = unique("proj")
    aggs = [unique("agg") for _ in range(4)]
    expected = await publish_history(js, aggs, 6)
    live = ProjectionRunner(ProbeTotals(name), pool, nc, settings)
    stop, task = await run_in_background(live)
    try:
        await eventually(lambda: _equals(totals(pool, name, aggs), expected))
        before = await generations.live(pool, name)
        new = await rebuild(ProbeTotals(name), pool, nc, settings, grace_s=1.5)
        assert new == before + 1 == await generations.live(pool, name)
        assert await totals(pool, name, aggs) == expected  # the rebuilt model equals the live one
        # events after the swap are applied by the live runner on the new generation
        later = [unique("agg")]
        expected_later = await publish_history(js, later, 2)
        await eventually(lambda: _equals(totals(pool, name, later), expected_later), timeout=30)
        assert live.generation == new
        old_schema = generations.schema_name(name, before)
        assert not await pool.fetchval(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", old_schema
        )
    finally:
        stop.set()
        await task


async def _versions_when(pool, schema, agg, n):
    try:
        row = await pool.fetchval(
            f"SELECT versions FROM {schema}.applied WHERE aggregate_id = $1", agg
        )
    except asyncpg.UndefinedTableError:  # the runner has not created its tables yet
        return None
    return list(row) if row and len(row) >= n else None


async def publish_versions(js, agg, notes):
    """One event per note, versions 1.. in order."""
    for v, note in enumerate(notes, start=1):
        env = probe_event(agg, v, note).model_copy(update={"aggregate_version": v})
        await bus.publish_event(
            js,
            f"sw.probe.probe-station.ProbeRecorded.{agg}",
            env.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(env.event_id)},
        )


async def test_a_rebuild_after_a_redrive_applies_each_event_once_in_order(
    pool, nc, js, settings, unique
):
    from shegong_testing.probe import ProbeOrder

    name, agg = unique("proj"), unique("agg")
    await publish_versions(js, agg, ["", "poison pill", ""])
    projection = ProbeOrder(name)
    live = ProjectionRunner(projection, pool, nc, settings)
    stop, task = await run_in_background(live)
    try:
        schema = generations.schema_name(name, 1)
        assert await eventually(lambda: _versions_when(pool, schema, agg, 2), timeout=30) == [1, 3]
        dead = await eventually(lambda: _dead_of(js, name, agg), timeout=30)
        projection.poison_prefix = "no longer poison"  # the operator fixes the cause
        await deadletter.redrive(js, dead.seq)
        assert await eventually(lambda: _versions_when(pool, schema, agg, 3), timeout=30) == [
            1,
            3,
            2,
        ]
        fixed = ProbeOrder(name)
        fixed.poison_prefix = "no longer poison"
        new = await rebuild(fixed, pool, nc, settings, grace_s=1.0)
        rebuilt = await _versions_when(pool, generations.schema_name(name, new), agg, 3)
        assert rebuilt == [1, 2, 3]  # history in order; the old re-drive is not applied again
    finally:
        stop.set()
        await task

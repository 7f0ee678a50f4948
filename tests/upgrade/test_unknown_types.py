"""An event a release cannot read yet (a type or schema version a newer release publishes) is
parked, never dead-lettered or dropped: its aggregate's later events wait behind it, and a
release that knows it applies it with them when it starts."""

import asyncio
import uuid

from shegong_events import CATALOG
from shegong_runtime import bus, generations
from shegong_runtime.projection import ProjectionRunner
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import ProbeTotals, probe_event


async def publish(js, agg: str, version: int, schema_version: int = 1) -> None:
    env = probe_event(agg, version).model_copy(
        update={"aggregate_version": version, "schema_version": schema_version}
    )
    await bus.publish_event(
        js,
        f"sw.probe.probe-station.ProbeRecorded.{agg}",
        env.model_dump_json().encode(),
        headers={"Nats-Msg-Id": str(env.event_id)},
    )


async def totals(pool, name: str, agg: str):
    schema = await generations.live_schema(pool, name)
    try:
        return await pool.fetchval(
            f"SELECT events FROM {schema}.totals WHERE aggregate_id = $1", agg
        )
    except Exception:  # not created yet
        return None


async def test_an_event_of_a_newer_release_is_parked_and_applied_by_one_that_knows_it(
    database_url, nats_url, pool, nc, monkeypatch
):
    settings = Settings(
        database_url=database_url, nats_url=nats_url, projection_fetch_timeout_s=0.3
    )
    js = nc.jetstream()
    await bus.ensure_domain_streams(js, ["probe"], settings)
    name, agg = f"unk_{uuid.uuid4().hex[:8]}", f"agg-{uuid.uuid4().hex[:8]}"
    await publish(js, agg, 1)
    await publish(js, agg, 2, schema_version=2)  # newer than this catalog knows
    await publish(js, agg, 3)
    runner = ProjectionRunner(ProbeTotals(name), pool, nc, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        schema = await generations.live_schema(pool, name)

        async def parked() -> list:
            try:
                rows = await pool.fetch(
                    f"SELECT version FROM {schema}.parked WHERE stream_id = $1 ORDER BY 1",
                    f"probe-{agg}",
                )
            except Exception:  # not created yet
                return []
            return [r["version"] for r in rows]

        async def both_parked() -> bool:  # the unknown one, and its successor behind it
            return await parked() == [2, 3]

        await eventually(both_parked)
        assert await totals(pool, name, agg) == 1
        dead = await pool.fetchval(f"SELECT count(*) FROM {schema}.processed WHERE dead")
        assert dead == 0  # nothing dead-lettered
    finally:
        stop.set()
        await task

    # a release that knows schema version 2 (here: an upcaster-like reading of it) starts
    known = CATALOG.upcast
    monkeypatch.setattr(
        CATALOG,
        "upcast",
        lambda env: (
            known(env.model_copy(update={"schema_version": 1}))
            if env.schema_version == 2
            else known(env)
        ),
    )
    newer = ProjectionRunner(ProbeTotals(name), pool, nc, settings, generation=1)
    await newer.prepare()  # applies what it knows among the parked, with what waited behind
    assert await totals(pool, name, agg) == 3
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.parked") == 0

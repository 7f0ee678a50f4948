"""An operator's round with a poison event: `shegong dlq list`, `show`, fix the cause, `redrive`,
and `shegong status` counting dead and re-driven letters."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from shegong_events import Envelope
from shegong_events.registry import StationOpened
from shegong_runtime import bus
from shegong_runtime.projection import Projection, ProjectionRunner
from shegong_testing.fixtures import eventually
from shegong_testing.http import settings_for

from .helpers import shegong


class Fragile(Projection):
    """Fails while `broken`, as a read model does when something it needs is missing."""

    ddl = "CREATE TABLE IF NOT EXISTS {s}.seen (event_id uuid PRIMARY KEY);"

    def __init__(self, name: str, domain: str) -> None:
        self.name, self.domains, self.broken = name, (domain,), True

    async def apply(self, conn, s, event):
        if self.broken:
            raise RuntimeError("the station directory is unavailable")
        await conn.execute(f"INSERT INTO {s}.seen VALUES ($1)", event.event_id)


@pytest.fixture
async def fragile(pool, nc, database_url, nats_url):
    suffix = uuid.uuid4().hex[:8]
    projection = Fragile(f"ops_fragile_{suffix}", f"opsdlq{suffix}")
    settings = settings_for(database_url, nats_url, "ops-dlq", projection_max_attempts=2)
    await bus.ensure_domain_streams(nc.jetstream(), list(projection.domains), settings)
    runner = ProjectionRunner(projection, pool, nc, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield projection, runner
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_a_dead_letter_is_listed_shown_and_redriven_once_its_cause_is_fixed(
    fragile, nc, pool, stack_env
):
    projection, runner = fragile
    [domain] = projection.domains
    event = Envelope.wrap(
        StationOpened(
            station_id="ops-dlq",
            name="测试社工站",
            city="兰州市",
            district_id="xigu",
            district_name="西固区",
            street="测试街道",
            kind="street",
        ),
        aggregate_id="ops-dlq",
        station_id="ops-dlq",
        actor="test",
    )
    await bus.publish_event(
        nc.jetstream(),
        f"sw.{domain}.ops-dlq.StationOpened.ops-dlq",
        event.model_dump_json().encode(),
        headers={},
    )

    async def listed():
        ran = await shegong("dlq", "list", "--projection", projection.name, "--json", env=stack_env)
        return ran.code == 0 and json.loads(ran.out)

    [dead] = await eventually(listed, timeout=30, interval=0.5)
    assert dead["reason"].startswith("RuntimeError: the station directory is unavailable")
    assert (
        dead["origin_subject"] == f"sw.{domain}.ops-dlq.StationOpened.ops-dlq"
        and dead["attempts"] == 2
    )
    shown = await shegong("dlq", "show", str(dead["seq"]), env=stack_env)
    assert str(event.event_id) in shown.out and "RuntimeError" in shown.out

    # the operator fixes the cause, then sends the letter back
    projection.broken = False
    redriven = await shegong("dlq", "redrive", str(dead["seq"]), env=stack_env)
    assert redriven.code == 0 and f"re-drove {dead['seq']} to {projection.name}" in redriven.out

    async def applied():
        return await pool.fetchval(
            f"SELECT count(*) FROM {runner.schema}.seen WHERE event_id = $1", event.event_id
        )

    assert await eventually(applied, timeout=30) == 1
    ran = await shegong("status", "--json", env=stack_env)
    [counts] = [
        d for d in json.loads(ran.out)["dead_letters"] if d["projection"] == projection.name
    ]
    assert (counts["dead"], counts["redriven"]) == (1, 1)


async def test_redrive_without_a_sequence_is_refused(stack_env):
    ran = await shegong("dlq", "redrive", env=stack_env)
    assert ran.code == 2 and "--all" in ran.err

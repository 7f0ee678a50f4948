"""The demo week, recorded through every installed write service on a stack of its own, then read
back as an integrator and an operator would: `shegong replay`, `status`, `projections`."""

from __future__ import annotations

import base64
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from shegong_events import CATALOG
from shegong_events.all import load_all
from shegong_runtime import catalogue, demo
from shegong_runtime.ops import status as ops_status
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.http import AppClient, bearer, every, service_client, settings_for

from .helpers import node_report, own_stack, shegong

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"


@dataclass
class Week:
    database_url: str
    nats_url: str
    env: dict[str, str]
    clients: dict[str, AppClient]
    loaded: list[str]
    write_services: dict[str, str]  # service (= event store schema) → domain


async def load_week(clients: dict[str, AppClient], settings: Settings) -> list[str]:
    """Every installed demo loader, as `shegong up` runs them, against the in-process services."""
    client = demo.DemoClient(
        {name: "http://test" for name in clients},
        demo.admin_token(settings),
        transports={name: httpx.ASGITransport(app=c.app) for name, c in clients.items()},
    )
    loaded = []
    for name, loader in catalogue.demo_loaders():
        if all(s in clients for s in getattr(loader, "needs", (name,))):
            await loader(client)
            loaded.append(name)
    return loaded


async def store_ids(database_url: str, schemas: list[str]) -> set[str]:
    conn = await asyncpg.connect(database_url)
    try:
        ids: set[str] = set()
        for schema in schemas:
            ids |= {
                str(r["event_id"])
                for r in await conn.fetch(f"SELECT event_id FROM {schema}.events")
            }
        return ids
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def week(postgres_server_url: str) -> AsyncIterator[Week]:
    async with (
        own_stack(postgres_server_url) as (database_url, nats_url),
        AsyncExitStack() as stack,
    ):
        services = {name: ep.load() for name, ep in catalogue.services().items()}
        clients = {
            name: await stack.enter_async_context(service_client(s, database_url, nats_url))
            for name, s in services.items()
        }
        loaded = await load_week(clients, settings_for(database_url, nats_url, "demo"))
        write = {name: s.domain for name, s in services.items() if s.domain}
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        try:
            previous: list[int] = []

            async def settled() -> (
                bool
            ):  # every store relayed, and nothing new came since last look
                relays = await ops_status.relays(pool)
                counts = [len(await store_ids(database_url, list(write)))]
                steady = counts == previous and all(r.unrelayed == 0 for r in relays if not r.note)
                previous[:] = counts
                return steady

            await eventually(settled, timeout=60, interval=0.5)
        finally:
            await pool.close()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NATS_URL": nats_url,
            "SHEGONG_LOG_JSON": "true",
        }
        yield Week(database_url, nats_url, env, clients, loaded, write)


@pytest.fixture(scope="module")
async def replayed(week, tmp_path_factory) -> tuple[list[dict], set[str], set[str], Path]:
    """The whole history replayed to a file, with the stores' event ids just before and after."""
    out = tmp_path_factory.mktemp("replay") / "week.jsonl"
    before = await store_ids(week.database_url, list(week.write_services))
    ran = await shegong("replay", "-o", str(out), env=week.env)
    after = await store_ids(week.database_url, list(week.write_services))
    assert ran.code == 0, ran.err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return lines, before, after, out


def sealed_values(value, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from sealed_values(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from sealed_values(v, key)
    elif key.endswith("_sealed") and value is not None:
        yield value


async def test_a_replay_of_the_demo_week_yields_every_event_once_in_order_and_valid_under_ajv(
    week, replayed
):
    lines, before, after, path = replayed
    ids = [e["event_id"] for e in lines]
    # every event once: nothing doubled, nothing the stores do not hold, nothing they held left out
    assert len(ids) == len(set(ids)), "an event was replayed twice"
    assert before <= set(ids) <= after
    assert "registry" in week.loaded and len(lines) >= 6
    # in order per aggregate: versions 1, 2, 3... as the stores assigned them
    versions = defaultdict(list)
    for e in lines:
        versions[
            (CATALOG.domain_of(e["event_type"]), e["aggregate_type"], e["aggregate_id"])
        ].append(e["aggregate_version"])
    out_of_order = {k: v for k, v in versions.items() if v != list(range(1, len(v) + 1))}
    assert not out_of_order
    # every domain whose service recorded part of the week is in the replay
    domains = {CATALOG.domain_of(e["event_type"]) for e in lines}
    assert {week.write_services[n] for n in week.loaded if n in week.write_services} <= domains
    # each event valid against the published JSON Schemas, checked by Ajv (not pydantic)
    report = node_report("events", SCHEMAS, path)
    assert report["compileErrors"] == [] and report["unknown"] == [] and report["invalid"] == []
    assert report["checked"] == len(lines)
    # personal data only sealed
    assert all(str(v).startswith("sealed:v1:") for e in lines for v in sealed_values(e["data"]))


async def test_replay_filters_by_domain_station_and_event_type(week, replayed):
    lines = replayed[0]
    sample = next(e for e in lines if e["event_type"] != "StationOpened")
    station, event_type = sample["station_id"], sample["event_type"]
    ran = await shegong("replay", "--station", station, "--type", event_type, env=week.env)
    assert ran.code == 0, ran.err
    got = [json.loads(line) for line in ran.out.splitlines()]
    assert got == [e for e in lines if e["station_id"] == station and e["event_type"] == event_type]
    ran = await shegong("replay", "--domain", "registry", env=week.env)
    registry = [e for e in lines if CATALOG.domain_of(e["event_type"]) == "registry"]
    assert [json.loads(line) for line in ran.out.splitlines()] == registry


async def test_replay_starts_at_a_stream_sequence_or_at_a_time(week, replayed):
    registry = [e for e in replayed[0] if CATALOG.domain_of(e["event_type"]) == "registry"]
    middle = len(registry) // 2 + 1
    ran = await shegong("replay", "--domain", "registry", "--from-seq", str(middle), env=week.env)
    assert [json.loads(line) for line in ran.out.splitlines()] == registry[middle - 1 :]
    nc = await nats.connect(week.nats_url)
    try:
        stored = (await nc.jetstream().get_msg("SW_REGISTRY", middle)).time
        assert stored is not None
    finally:
        await nc.close()
    ran = await shegong(
        "replay", "--domain", "registry", "--since", stored.isoformat(), env=week.env
    )
    since = [json.loads(line) for line in ran.out.splitlines()]
    assert registry[middle - 1] in since and since == registry[len(registry) - len(since) :]
    assert len(since) < len(registry)


async def test_replay_republishes_under_a_target_prefix_but_never_into_shegong_streams(
    week, replayed
):
    registry = [e for e in replayed[0] if CATALOG.domain_of(e["event_type"]) == "registry"]
    nc = await nats.connect(week.nats_url)
    js = nc.jetstream()
    try:
        await js.add_stream(name="WEEK_COPY", subjects=["copy.>"])
        ran = await shegong("replay", "--domain", "registry", "--republish", "copy", env=week.env)
        assert ran.code == 0, ran.err
        info = await js.stream_info("WEEK_COPY")
        assert info.state.messages == len(registry)
        first = await js.get_msg("WEEK_COPY", 1)
        assert first.data is not None
        assert (
            first.subject
            == f"copy.registry.{registry[0]['station_id']}.{registry[0]['event_type']}.{registry[0]['aggregate_id']}"
        )
        assert json.loads(first.data) == registry[0]
        refused = await shegong("replay", "--domain", "registry", "--republish", "sw", env=week.env)
        assert refused.code == 1 and "Shegong's own stream" in refused.err
        assert (await js.stream_info("SW_REGISTRY")).state.messages == len(registry)
    finally:
        await nc.close()


async def test_status_shows_streams_relays_caught_up_and_a_lagging_consumer(week, replayed):
    lines = replayed[0]
    nc = await nats.connect(week.nats_url)
    try:
        await nc.jetstream().add_consumer(
            "SW_REGISTRY", durable_name="ops-test-lagging", filter_subject="sw.registry.>"
        )
        ran = await shegong("status", "--json", env=week.env)
    finally:
        await nc.close()
    assert ran.code == 0, ran.err
    found = json.loads(ran.out)
    streams = {s["name"]: s for s in found["streams"]}
    for domain in week.write_services.values():
        held = [e for e in lines if CATALOG.domain_of(e["event_type"]) == domain]
        if held:
            assert streams[f"SW_{domain.upper()}"]["messages"] == len(held)
            assert streams[f"SW_{domain.upper()}"]["last_ts"] is not None
    registry_count = streams["SW_REGISTRY"]["messages"]
    [lagging] = [c for c in found["consumers"] if c["name"] == "ops-test-lagging"]
    assert lagging["lag"] == registry_count and lagging["ack_pending"] == 0
    relays = {r["service"]: r for r in found["relays"]}
    assert set(relays) == set(week.write_services)
    for r in relays.values():
        if not r["note"]:
            assert r["unrelayed"] == 0 and r["checkpoint"] == r["head"]
            assert isinstance(r["active_pid"], int), f"no relay holds the lock of {r['service']}"
    assert found["dead_letters"] == []


async def test_projections_status_names_every_read_model_and_rebuild_swaps_in_a_new_generation(
    week,
):
    load_all()

    async def caught_up():
        ran = await shegong("projections", "status", "--json", env=week.env)
        rows = {p["name"]: p for p in json.loads(ran.out)}
        ready = all(
            p["generation"] == 1
            and all(
                s["checkpoint"] == s["stream_last"]
                for s in p["sources"]
                if s["domain"] != "redrive"
            )
            for p in rows.values()
        )
        return ready and rows

    rows = await eventually(caught_up, timeout=60, interval=1.0)
    assert {f"{name}_stations" for name in week.clients} <= set(rows)
    assert {rows[n]["service"] for n in rows} == set(week.clients)
    ran = await shegong("projections", "rebuild", "registry_stations", env=week.env)
    assert ran.code == 0, ran.err
    assert "generation 2 is live" in ran.out
    ran = await shegong("projections", "status", "--json", env=week.env)
    [rebuilt] = [p for p in json.loads(ran.out) if p["name"] == "registry_stations"]
    assert rebuilt["generation"] == 2
    assert all(
        s["checkpoint"] == s["stream_last"] for s in rebuilt["sources"] if s["domain"] == "registry"
    )
    # the live service answers from the new generation
    admin = bearer(settings_for(week.database_url, week.nats_url, "registry"), "city_admin")
    listed = await every(week.clients["registry"], "/stations", None, headers=admin)
    assert {"xigu-fulilu", "chengguan-caochangjie"} <= {row["station_id"] for row in listed}
    unknown = await shegong("projections", "rebuild", "no_such_projection", env=week.env)
    assert unknown.code == 1 and "no projection 'no_such_projection'" in unknown.err


# Path and query values from the demo week for the list routes that need them.
FILLED = {
    "household_id": "demo-qbs-01",
    "station_id": "xigu-fulilu",
    "organisation_id": "fulilu-yard-council",
    "district_id": "chengguan",
}
REQUIRED: dict[str, dict[str, Any]] = {"/organisations/pending": {"older_than_days": 0}}
OPTIONS: dict[str, list[dict[str, str]]] = {  # every order a list offers
    "/meetings": [{}, {"newest_first": "true"}],
    "/households/{household_id}/timeline": [{}, {"newest_first": "true"}],
    "/inbox": [{}],
}


def paged_routes(client: AppClient) -> list[str]:
    spec = client.app.openapi()
    routes = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        names = {p["name"] for p in get.get("parameters", [])}
        schema = json.dumps(get["responses"].get("200", {}))
        # a list answers a page: never a bare array, always a cursor and a limit
        assert '"type": "array"' not in schema.split('"properties"')[0], (path, "bare array")
        if "cursor" in names:
            assert "limit" in names and "Link" in get["responses"]["200"]["headers"], path
            routes.append(path)
    return routes


async def test_every_list_route_pages_to_its_end_through_next_and_shows_every_row_once(week):
    """Each list read a row at a time through `next` (and its Link header) equals the same list
    read in one page: every row once, in the same order."""
    admin = bearer(settings_for(week.database_url, week.nats_url, "registry"), "city_admin")
    walked: dict[str, int] = {}
    for name, client in week.clients.items():
        for path in paged_routes(client):
            url = path.format(**FILLED)
            for extra in OPTIONS.get(path, [{}]):
                params = {**REQUIRED.get(path, {}), **extra}
                whole = await client.get(url, params={**params, "limit": 500}, headers=admin)
                assert whole.status_code == 200, (name, url, whole.text)
                assert whole.json()["next"] is None and "link" not in whole.headers
                one_by_one = await every(client, url, {**params, "limit": 1}, headers=admin)
                rows = [json.dumps(r, sort_keys=True) for r in one_by_one]
                assert rows == [json.dumps(r, sort_keys=True) for r in whole.json()["items"]]
                assert len(set(rows)) == len(rows), (name, url, "a row twice")
                walked[f"{name} {path} {extra}"] = len(rows)
    assert len(walked) >= 24, sorted(walked)
    # the demo week fills most lists with more than one row, so most walks took several pages
    assert sum(1 for n in walked.values() if n > 1) >= 15, walked


async def test_a_cursor_is_refused_by_name_on_another_list_or_when_mangled(week):
    admin = bearer(settings_for(week.database_url, week.nats_url, "visits"), "city_admin")
    visits = week.clients["visits"]
    first = (await visits.get("/households", params={"limit": 1}, headers=admin)).json()
    assert first["next"]
    forged = base64.urlsafe_b64encode(
        json.dumps({"o": "households", "k": ["a", "not-a-time", "b"]}).encode()
    ).decode()
    for path, cursor in [
        ("/visits/overdue", first["next"]),  # another list's
        ("/households", "bm90LWEtY3Vyc29y"),  # not a cursor at all
        ("/households", forged.rstrip("=")),  # this list's shape, a key of the wrong type
    ]:
        r = await visits.get(path, params={"cursor": cursor}, headers=admin)
        assert r.status_code == 422 and r.json()["field"] == "cursor", r.text
        assert r.json()["rule"] == "cursor_not_of_this_list"
    for limit in (0, 501):
        r = await visits.get("/households", params={"limit": limit}, headers=admin)
        assert r.status_code == 422 and r.json()["field"] == "limit"

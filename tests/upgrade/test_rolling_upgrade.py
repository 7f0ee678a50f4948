"""Guarantee 11, two versions side by side: visits upgraded replica by replica under load, from
the previous release (a worktree of the commit in `previous_release`, installed from its own
lock) to this one, on the same database and streams. No command fails, nothing is lost, the
read model equals the store."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import uuid
from collections import Counter

import asyncpg
import httpx
import nats
import pytest
from shegong_events import Envelope
from shegong_runtime import auth, generations, migrations, reconcile
from shegong_testing.fixtures import eventually
from shegong_testing.http import open_stations, settings_for

from .replicas import Balancer, install_previous, remove_previous

STATION = f"up-{uuid.uuid4().hex[:8]}"
TIERS = ("key", "high", "general")


@pytest.fixture(scope="module")
def previous_python(tmp_path_factory):
    where = tmp_path_factory.mktemp("previous-release") / "checkout"
    try:
        yield install_previous(where)
    finally:
        remove_previous(where)


class Load:
    """Households registered, then re-tiered in turn, each command sent once to the next
    replica in the rotation: any answer but success counts as failed."""

    def __init__(self, balancer: Balancer, token: str, households: int, pause: float) -> None:
        self.balancer, self.households, self.pause = balancer, households, pause
        self.headers = {"Authorization": f"Bearer {token}"}
        self.turn = itertools.count()
        self.acked: dict[str, Counter] = {"previous": Counter(), "current": Counter()}
        self.correlations: set[str] = set()  # of every acknowledged command
        self.failed: list[str] = []
        self.stop = asyncio.Event()

    async def send(self, client: httpx.AsyncClient, path: str, body: dict) -> None:
        rotation = self.balancer.rotation
        replica = rotation[next(self.turn) % len(rotation)]
        replica.in_flight += 1
        correlation = str(uuid.uuid4())
        headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Correlation-Id": correlation}
        try:
            r = await client.post(
                replica.url + path, json=body, headers={**self.headers, **headers}, timeout=15
            )
            if r.status_code < 300:
                self.acked[replica.release][path.split("/")[-1]] += 1
                self.correlations.add(correlation)
            else:
                self.failed.append(f"{replica.release} {path}: {r.status_code} {r.text[:200]}")
        except httpx.HTTPError as exc:
            self.failed.append(f"{replica.release} {path}: {type(exc).__name__}")
        finally:
            replica.in_flight -= 1

    async def household(self, client: httpx.AsyncClient) -> None:
        hid = f"hh-up-{uuid.uuid4().hex[:10]}"
        body: dict[str, object] = {
            "household_id": hid,
            "station_id": STATION,
            "categories": ["minimum_living_allowance"],
            "head_name": "升级 户主",
        }
        await self.send(client, "/households", body)
        for turn in itertools.count():
            if self.stop.is_set():
                return
            await asyncio.sleep(self.pause)
            body = {"tier": TIERS[turn % 3], "reason": "periodic_review", "major_change": True}
            await self.send(client, f"/households/{hid}/risk-tier", body)

    async def run(self) -> None:
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(self.household(client) for _ in range(self.households)))


@pytest.mark.timeout(600)
async def test_visits_upgraded_replica_by_replica_under_load_fails_no_command(
    previous_python, database_url, nats_url, stack_env, pool, tmp_path
):
    settings = settings_for(database_url, nats_url, "visits")
    nc = await nats.connect(nats_url)
    await open_stations(nc, settings, [(STATION, "chengguan")])
    env = {
        **stack_env,
        "SHEGONG_PROJECTION_LEASE_POLL_S": "0.3",
        "SHEGONG_PROJECTION_MEMBER_TTL_S": "1.5",
        "SHEGONG_RELAY_LOCK_POLL_S": "0.3",
        "SHEGONG_DATABASE_POOL_SIZE": "3",
    }
    balancer = Balancer(env, tmp_path)
    token = auth.issue(settings, "up-admin", auth.Role.city_admin)
    try:
        # the previous release runs visits on two replicas, which learn the station
        old = [balancer.start(previous_python, "previous") for _ in range(2)]
        for replica in old:
            await balancer.admit(replica)
        await eventually(lambda: _station_known(pool), timeout=60)
        load = Load(balancer, token, 10, 0.5)
        loader = asyncio.create_task(load.run())
        await asyncio.sleep(4)
        # one by one: a replica of this release joins, then a previous one is drained
        for replica in old:
            new = balancer.start(sys.executable, "current")
            await balancer.admit(new)
            await asyncio.sleep(3)  # both releases serve side by side
            await balancer.drain(replica)
            await asyncio.sleep(2)
        await asyncio.sleep(3)
        load.stop.set()
        await asyncio.wait_for(loader, 60)

        assert load.failed == []
        assert sum(load.acked["previous"].values()) > 20, load.acked
        assert sum(load.acked["current"].values()) > 20, load.acked
        # nothing lost: every acknowledged command stored and on the stream, once, no fork
        rows = await pool.fetch(
            "SELECT stream_id, version, event_id::text AS id, correlation_id::text AS corr "
            "FROM visits.event_log WHERE station_id = $1",
            STATION,
        )
        stored = {(r["stream_id"], r["version"]): r["id"] for r in rows}
        assert {r["corr"] for r in rows} == load.correlations

        async def on_stream() -> dict:
            msgs = await reconcile.read_stream(nc.jetstream(), "SW_VISITS", 0)
            events = [Envelope.model_validate_json(m.data or b"") for m in msgs]
            mine = [e for e in events if e.station_id == STATION]
            assert len({e.event_id for e in mine}) == len(mine), "an event twice on the stream"
            return {(e.stream_id, e.aggregate_version): str(e.event_id) for e in mine}

        await eventually(lambda: _equal(on_stream, stored), timeout=30)
        # the read model equals the store: each household's tier and every version applied
        await eventually(lambda: _read_model_equals_store(pool), timeout=30)
        # the store moved to this release's version; the previous release ran beside it
        assert await migrations.store_version(pool, "visits") == migrations.RUNS_BESIDE[-1]
    finally:
        balancer.stop()
        await nc.close()
        for log in sorted(tmp_path.glob("*.log")):
            errors = [
                line
                for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                if '"level": "error"' in line or "Traceback" in line
            ]
            if errors:
                print(log.name, *errors[:5], sep="\n  ")


async def _station_known(pool) -> bool:
    """The visits station directory (one table every replica reads) has the station."""
    schema = await generations.live_schema(pool, "visits_stations")
    try:
        return bool(
            await pool.fetchval(f"SELECT 1 FROM {schema}.stations WHERE station_id = $1", STATION)
        )
    except asyncpg.UndefinedTableError:
        return False


async def _equal(read, expected) -> bool:
    return await read() == expected


async def _read_model_equals_store(pool) -> bool:
    schema = await generations.live_schema(pool, "visits_read")
    model = {
        r["household_id"]: (r["risk_tier"], r["version"], r["events"])
        for r in await pool.fetch(
            f"SELECT h.household_id, h.risk_tier, max(t.version) AS version, count(t.*) AS events "
            f"FROM {schema}.households h JOIN {schema}.timeline t USING (household_id) "
            "WHERE h.station_id = $1 GROUP BY 1, 2",
            STATION,
        )
    }
    rows = await pool.fetch(
        "SELECT aggregate_id, version, event_type, data FROM visits.event_log "
        "WHERE station_id = $1 ORDER BY aggregate_id, version",
        STATION,
    )
    store: dict[str, tuple[str, int, int]] = {}
    for r in rows:
        data = json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
        tier = data.get("tier") or data.get("risk_tier") or store.get(r["aggregate_id"], ("",))[0]
        store[r["aggregate_id"]] = (tier, r["version"], r["version"])
    return model == store

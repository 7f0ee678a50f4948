"""The reliability scenario: households registered and re-tiered through the visits HTTP API
while the relay holder, a visits replica, the stream leader's NATS node and every PostgreSQL
session are killed and visits is scaled 1 → 3 → 1 on a three-node JetStream cluster. Then the
event store, the stream and the read model are compared.

Clients behave as the workbench does: a command that fails (connection lost, 5xx, 503) is sent
again with the same Idempotency-Key to any replica until it is acknowledged.
`tests/reliability/test_faults.py` runs it short and asserts the zeros; `bench/reliability.py`
runs it longer and prints the table.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import nats
from shegong_runtime import auth, generations
from shegong_runtime.cluster import EmbeddedCluster
from shegong_runtime.embedded import free_port
from shegong_runtime.settings import Settings
from shegong_testing.http import open_stations

STATION, DISTRICT = "rel-station", "rel-district"
RUNNING = (
    "visits",
    "stations",
    "registry",
    "engagement",
    "notifications",
)  # the services the run starts
TIERS = ("key", "high", "general")


@dataclass
class Report:
    seconds: float = 0.0
    commands_acknowledged: int = 0
    commands_retried: int = 0
    events_stored: int = 0
    events_published: int = 0
    lost: int = 0  # acknowledged but not stored, or stored but not in the stream
    duplicated: int = 0  # an event id twice in the stream
    out_of_order_stream: int = 0  # aggregates whose versions go backwards in the stream
    out_of_order_read_model: int = 0  # rows whose last tier is not the store's last
    read_model_mismatches: int = 0  # rows whose version differs from the store's
    waiting_for_predecessor: int = 0
    board_mismatches: int = 0  # stations board rows whose tier or station differ from the store
    projection_gaps: int = (
        0  # events of a write service's store some projection reading it never applied
    )
    deliveries_per_message: float = 0.0
    node_rejoined_s: float = (
        0.0  # from the node's restart until every replica of both streams is current
    )
    catch_up_s: dict[str, float] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)

    def zeros(self) -> dict[str, int]:
        return {
            "lost": self.lost,
            "duplicated": self.duplicated,
            "out_of_order_stream": self.out_of_order_stream,
            "out_of_order_read_model": self.out_of_order_read_model,
            "read_model_mismatches": self.read_model_mismatches,
            "waiting_for_predecessor": self.waiting_for_predecessor,
            "board_mismatches": self.board_mismatches,
            "projection_gaps": self.projection_gaps,
        }

    def table(self) -> str:
        rows = [(k, v) for k, v in self.__dict__.items() if k not in ("catch_up_s", "faults")]
        rows += [(f"catch-up after {k} (s)", round(v, 2)) for k, v in self.catch_up_s.items()]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"| {k:<{width}} | {v:>10} |" for k, v in rows)


class Replicas:
    """A service's replicas, each `shegong serve <service>` on its own port."""

    def __init__(
        self,
        env: dict[str, str],
        logs: Path,
        service: str = "visits",
        projection: str = "visits_read",
    ) -> None:
        self.env, self.logs, self.service, self.projection = env, logs, service, projection
        self.procs: dict[int, subprocess.Popen] = {}
        self.ready: set[int] = (
            set()
        )  # clients reach a replica once it answers /readyz, as behind a balancer
        self.received: float = 0.0  # messages fetched by replicas already gone

    def start(self) -> int:
        port = free_port()
        log = open(self.logs / f"{self.service}-{port}.log", "ab")
        self.procs[port] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shegong_runtime.cli",
                "serve",
                self.service,
                "--port",
                str(port),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return port

    @property
    def urls(self) -> list[str]:
        return [
            f"http://127.0.0.1:{p}"
            for p, proc in self.procs.items()
            if proc.poll() is None and p in self.ready
        ]

    async def wait_ready(self, timeout: float = 60) -> None:
        for port in list(self.procs):
            if port not in self.ready:
                await wait_ready([f"http://127.0.0.1:{port}"], timeout)
                self.ready.add(port)

    def metric(self, port: int, name: str, label: str = "") -> float:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        except httpx.HTTPError:
            return 0.0
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(name) and label in line
        )

    def relay_holder(self) -> int | None:
        return next(
            (
                p
                for p in self.procs
                if self.metric(p, "shegong_relay_active", 'domain="visits"') == 1.0
            ),
            None,
        )

    def end(self, port: int, kill: bool) -> None:
        self.received += self.metric(
            port, "shegong_projection_received_total", f'projection="{self.projection}"'
        )
        proc = self.procs.pop(port)
        self.ready.discard(port)
        if kill:
            proc.kill()
        else:
            proc.terminate()
        proc.wait(30)

    def received_total(self) -> float:
        return self.received + sum(
            self.metric(p, "shegong_projection_received_total", f'projection="{self.projection}"')
            for p in self.procs
        )

    def stop(self) -> None:
        for port in list(self.procs):
            self.end(port, kill=False)


async def wait_ready(urls: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        for url in urls:
            while True:
                try:
                    if (await client.get(f"{url}/readyz", timeout=2)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} not ready")
                await asyncio.sleep(0.2)


class Load:
    """Households, each registered and then re-tiered in turn; every command retried until acknowledged."""

    def __init__(
        self, visits: Replicas, registry: Replicas, token: str, households: int, rate: float
    ) -> None:
        self.visits, self.registry, self.households, self.rate = visits, registry, households, rate
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acked: list[tuple[str, str]] = []  # (household, correlation id)
        self.retried = 0
        self.stop = asyncio.Event()

    async def command(
        self,
        client: httpx.AsyncClient,
        path: str,
        body: dict,
        household: str,
        service: Replicas | None = None,
    ) -> None:
        key, correlation = uuid.uuid4().hex, str(uuid.uuid4())
        headers = {**self.headers, "Idempotency-Key": key, "X-Correlation-Id": correlation}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            urls = (service or self.visits).urls
            if urls:
                try:
                    r = await client.post(
                        random.choice(urls) + path, json=body, headers=headers, timeout=10
                    )
                    if r.status_code < 300:
                        self.acked.append((household, correlation))
                        return
                    # a new replica may not know the station yet: it learns it from the registry's events
                    learning = r.status_code == 422 and "UnknownStation" in r.text
                    if (
                        r.status_code < 500
                        and r.status_code not in (404, 409, 429)
                        and not learning
                    ):
                        raise AssertionError(f"{path}: {r.status_code} {r.text[:300]}")
                except httpx.HTTPError:
                    pass
            self.retried += 1
            await asyncio.sleep(0.3)
        raise AssertionError(f"{path} never acknowledged")

    async def household(self, client: httpx.AsyncClient, i: int) -> None:
        hid = f"hh-rel-{uuid.uuid4().hex[:12]}"
        pause = self.households / self.rate
        body = {
            "household_id": hid,
            "station_id": STATION,
            "categories": ["minimum_living_allowance"],
            "head_name": "示例 户主",
        }
        await self.command(client, "/households", body, hid)
        turn = 0
        while not self.stop.is_set():
            await asyncio.sleep(pause * random.uniform(0.5, 1.5))
            tier = TIERS[turn % len(TIERS)]
            await self.command(
                client,
                f"/households/{hid}/risk-tier",
                {"tier": tier, "reason": "periodic_review", "major_change": True},
                hid,
            )
            turn += 1

    async def organisation(self, client: httpx.AsyncClient, i: int) -> None:
        """A community organisation filed (备案) at the station, then approved."""
        org = f"org-rel-{uuid.uuid4().hex[:10]}"
        body = {
            "organisation_id": org,
            "name": f"示例互助队{org[-6:]}",
            "category": "mutual_aid",
            "community": "示例社区",
            "responsible_person": "示例负责人",
            "members": 12,
            "venue": "社区服务站",
            "activity_area": "示例社区",
            "charter_summary": "楼院邻里结对互助。",
        }
        await self.command(client, f"/stations/{STATION}/organisations", body, org, self.registry)
        await asyncio.sleep(self.households / self.rate * random.uniform(0.5, 1.5))
        await self.command(
            client, f"/stations/{STATION}/organisations/{org}/approvals", {}, org, self.registry
        )

    async def run(self) -> None:
        async with httpx.AsyncClient() as client:
            await asyncio.gather(
                *(self.household(client, i) for i in range(self.households)),
                *(
                    self.organisations_until_stopped(client, i)
                    for i in range(max(self.households // 5, 1))
                ),
            )

    async def organisations_until_stopped(self, client: httpx.AsyncClient, i: int) -> None:
        while not self.stop.is_set():
            await self.organisation(client, i)


async def applied(pool: asyncpg.Pool) -> int:
    schema = await generations.live_schema(pool, "visits_read")
    try:
        return await pool.fetchval(f"SELECT count(*) FROM {schema}.timeline")
    except asyncpg.UndefinedTableError:
        return 0


async def catch_up(database_url: str, since: float, timeout: float = 120) -> float:
    """Seconds from `since` until the read model holds every event stored at this moment
    (on connections of its own, retried: the faults cut sessions too)."""
    deadline = since + timeout
    head = None
    while time.monotonic() < deadline:
        try:
            pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
            try:
                if head is None:
                    head = await pool.fetchval("SELECT count(*) FROM visits.events")
                while await applied(pool) < head:
                    if time.monotonic() > deadline:
                        return float("inf")
                    await asyncio.sleep(0.1)
                return time.monotonic() - since
            finally:
                await pool.close()
        except Exception:
            await asyncio.sleep(0.2)
    return float("inf")


async def run(
    database_url: str,
    cluster: EmbeddedCluster,
    logs: Path,
    seconds: float = 60,
    households: int = 30,
    rate: float = 25.0,
) -> Report:
    """One run; the faults are spread over `seconds` of load."""
    report = Report(seconds=seconds)
    settings = Settings(database_url=database_url, nats_url=cluster.url, stream_replicas=3)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": cluster.url,
        "SHEGONG_STREAM_REPLICAS": "3",
        "SHEGONG_LOG_JSON": "true",
        "SHEGONG_PROJECTION_LEASE_POLL_S": "0.3",
        "SHEGONG_PROJECTION_MEMBER_TTL_S": "1.5",
        "SHEGONG_RELAY_LOCK_POLL_S": "0.3",
        "SHEGONG_DATABASE_POOL_SIZE": "6",
    }  # four replicas and a board within a shared server's limit
    nc = await nats.connect(cluster.url.split(","))
    await open_stations(nc, settings, [(STATION, DISTRICT)])
    visits = Replicas(env, logs)
    board = Replicas(env, logs, "stations", "stations_board")  # the cross-service read model
    others = {
        name: Replicas(env, logs, name, "")
        for name in RUNNING
        if name not in ("visits", "stations")
    }
    first = visits.start()
    for replicas in (board, *others.values()):
        replicas.start()
    for replicas in (visits, board, *others.values()):
        await replicas.wait_ready()
    load = Load(
        visits,
        others["registry"],
        auth.issue(settings, "rel-worker", auth.Role.city_admin),
        households,
        rate,
    )
    started = time.monotonic()
    loader = asyncio.create_task(load.run())
    catch_ups: list[tuple[str, asyncio.Task]] = []

    async def at(fraction: float) -> None:
        await asyncio.sleep(max(0.0, started + seconds * fraction - time.monotonic()))

    def measure(what: str) -> None:
        catch_ups.append((what, asyncio.create_task(catch_up(database_url, time.monotonic()))))

    try:
        await at(0.12)  # the relay holder dies mid-load; a new replica takes its place
        holder = visits.relay_holder() or first
        visits.end(holder, kill=True)
        visits.start()
        report.faults.append("SIGKILL visits (relay holder), replaced")
        await visits.wait_ready()
        measure("visits replica killed")

        await at(0.2)  # the stations board's only replica dies and is started again
        await restart(board, report, "SIGKILL stations (the board's only replica), restarted")

        await at(
            0.25
        )  # the registry's only replica (its relay holder) dies under load and comes back
        await restart(
            others["registry"], report, "SIGKILL registry (relay holder, under load), restarted"
        )

        await at(0.3)  # the stream leader's node dies, then comes back
        js = nc.jetstream()
        placed = (await js.stream_info("SW_VISITS")).cluster
        leader = placed.leader if placed else None
        assert leader is not None, "a clustered stream has a leader"
        node = cluster.node(leader)
        node.kill()
        report.faults.append(f"SIGKILL NATS node {leader} (SW_VISITS leader)")
        await asyncio.sleep(3)
        node.start()
        restarted = time.monotonic()
        measure("NATS leader node killed")
        rejoin = asyncio.create_task(rejoined(js, ("SW_VISITS", "SWP_VISITS"), restarted))

        await at(0.45)  # every PostgreSQL session of the database is cut
        admin = await asyncpg.connect(database_url)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        await admin.close()
        report.faults.append("every PostgreSQL session terminated")
        measure("PostgreSQL sessions cut")

        await at(0.55)  # scale out to three replicas
        visits.start(), visits.start()
        await visits.wait_ready()
        report.faults.append("visits scaled 1 -> 3")

        await at(0.62)  # notifications and engagement, which only read here, die and come back
        await restart(others["notifications"], report, "SIGKILL notifications, restarted")
        await restart(others["engagement"], report, "SIGKILL engagement, restarted")

        await at(0.7)  # one of them is killed, then back to one
        ports = list(visits.procs)
        visits.end(ports[-1], kill=True)
        report.faults.append("SIGKILL one of three visits replicas")
        measure("replica killed at 3")
        await at(0.85)
        visits.end(ports[-2], kill=False)
        report.faults.append("visits scaled back to 1")

        await at(1.0)
        load.stop.set()
        await asyncio.wait_for(loader, timeout=180)
        measure("load ended")
        report.node_rejoined_s = round(await rejoin, 2)
        for what, task in catch_ups:
            report.catch_up_s[what] = round(await task, 2)
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
        try:
            await compare(report, pool, nc, load)
            report.board_mismatches = await eventually_equal_board(pool, database_url)
            report.projection_gaps = await eventually_covered(pool, report)
        finally:
            await pool.close()
        report.deliveries_per_message = round(
            visits.received_total() / max((await js.stream_info("SWP_VISITS")).state.messages, 1), 3
        )
    finally:
        load.stop.set()
        loader.cancel()
        for replicas in (visits, board, *others.values()):
            replicas.stop()
        await nc.close()
    return report


async def stream_check(js, domain: str) -> tuple[set[str], int, int]:
    """A domain stream read in order: its event ids, duplicates, aggregates going backwards."""
    info = await js.stream_info(f"SW_{domain.upper()}")
    seen: dict[str, int] = {}
    order: dict[str, list[int]] = {}
    sub = await js.subscribe(f"sw.{domain}.>", ordered_consumer=True)
    try:
        for _ in range(info.state.messages):
            env = json.loads((await sub.next_msg(timeout=10)).data)
            seen[env["event_id"]] = seen.get(env["event_id"], 0) + 1
            if env.get("aggregate_version"):
                order.setdefault(env["aggregate_id"], []).append(env["aggregate_version"])
    finally:
        await sub.unsubscribe()
    return (
        set(seen),
        sum(n - 1 for n in seen.values()),
        sum(1 for v in order.values() if v != sorted(v)),
    )


async def rejoined(js, streams: tuple[str, ...], since: float, timeout: float = 120) -> float:
    """Seconds until every peer of every stream is current again (the node caught up)."""
    while time.monotonic() < since + timeout:
        try:
            infos = [await js.stream_info(s) for s in streams]
            if all(
                i.cluster
                and len(i.cluster.replicas or []) == 2
                and all(r.current for r in i.cluster.replicas)
                for i in infos
            ):
                return time.monotonic() - since
        except Exception:
            pass
        await asyncio.sleep(0.2)
    return float("inf")


async def restart(replicas: Replicas, report: Report, what: str) -> None:
    replicas.end(next(iter(replicas.procs)), kill=True)
    replicas.start()
    report.faults.append(what)
    await replicas.wait_ready()


async def uncovered(pool: asyncpg.Pool) -> dict[str, int]:
    """For every live projection of every service: the events of the stores of the domains it
    reads that its processed table lacks (each applied, or dead-lettered on record)."""
    from shegong_runtime.nats_auth import CONSUMERS

    missing: dict[str, int] = {}
    for service, projections in CONSUMERS.items():
        if service not in RUNNING:
            continue
        for name, domains in projections.items():
            schema = await generations.live_schema(pool, name)
            for domain in domains:
                if not await pool.fetchval("SELECT to_regclass($1)", f"{domain}.events"):
                    continue
                try:
                    n = await pool.fetchval(
                        f"SELECT count(*) FROM {domain}.events e WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {schema}.processed p WHERE p.event_id = e.event_id)"
                    )
                except asyncpg.UndefinedTableError:
                    n = await pool.fetchval(f"SELECT count(*) FROM {domain}.events")
                if n:
                    missing[f"{name}<{domain}"] = n
    return missing


async def eventually_covered(pool: asyncpg.Pool, report: Report, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (gaps := await uncovered(pool)) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    if gaps:
        report.faults.append(f"events never applied: {gaps}")
    return sum(gaps.values())


async def board_mismatches(pool: asyncpg.Pool) -> int:
    """Households whose stations-board tier is not the last tier the visits store recorded."""
    rows = await pool.fetch(
        "SELECT DISTINCT ON (aggregate_id) aggregate_id, data->>'tier' AS tier FROM visits.event_log "
        "WHERE event_type = 'RiskTierAssigned' ORDER BY aggregate_id, version DESC"
    )
    schema = await generations.live_schema(pool, "stations_board")
    try:
        board = {
            r["household_id"]: r["risk_tier"]
            for r in await pool.fetch(f"SELECT household_id, risk_tier FROM {schema}.households")
        }
    except asyncpg.UndefinedTableError:
        return len(rows)
    return sum(1 for r in rows if board.get(r["aggregate_id"]) != r["tier"])


async def eventually_equal_board(pool: asyncpg.Pool, database_url: str, timeout: float = 60) -> int:
    """The board is another service: give it until it has caught up, then count what differs."""
    deadline = time.monotonic() + timeout
    while (wrong := await board_mismatches(pool)) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    return wrong


async def compare(report: Report, pool: asyncpg.Pool, nc, load: Load) -> None:
    """Event store against acknowledgements, streams and read model: visits in detail, registry's
    store against its stream too."""
    report.commands_acknowledged, report.commands_retried = len(load.acked), load.retried
    js = nc.jetstream()
    answered: set[str] = set()
    for domain in ("visits", "registry"):  # the write services under load: store against stream
        events = await pool.fetch(f"SELECT event_id, correlation_id FROM {domain}.event_log")
        stored = {str(r["event_id"]) for r in events}
        answered |= {str(r["correlation_id"]) for r in events}
        in_stream, duplicated, backwards = await stream_check(js, domain)
        report.events_stored += len(stored)
        report.events_published += len(stored & in_stream)
        report.lost += len(stored - in_stream)
        report.duplicated += duplicated
        report.out_of_order_stream += backwards
    report.lost += sum(
        1 for _, corr in load.acked if corr not in answered
    )  # acknowledged, not stored
    rows = await pool.fetch("SELECT aggregate_id, version, data FROM visits.event_log")
    schema = await generations.live_schema(pool, "visits_read")
    model = {
        r["household_id"]: r
        for r in await pool.fetch(
            f"SELECT h.household_id, h.risk_tier, max(t.version) AS version, count(t.*) AS events "
            f"FROM {schema}.households h JOIN {schema}.timeline t USING (household_id) GROUP BY 1, 2"
        )
    }
    last: dict[str, tuple[int, str]] = {}
    for r in rows:
        data = json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
        tier = data.get("tier") or data.get("risk_tier")
        if tier and r["version"] >= last.get(r["aggregate_id"], (0, ""))[0]:
            last[r["aggregate_id"]] = (r["version"], tier)
    versions: dict[str, int] = {}
    for r in rows:
        versions[r["aggregate_id"]] = max(versions.get(r["aggregate_id"], 0), r["version"])
    report.read_model_mismatches = sum(
        1
        for h, v in versions.items()
        if h not in model or (model[h]["version"], model[h]["events"]) != (v, v)
    )
    report.out_of_order_read_model = sum(
        1 for h, (_, tier) in last.items() if h in model and model[h]["risk_tier"] != tier
    )
    report.waiting_for_predecessor = await pool.fetchval(f"SELECT count(*) FROM {schema}.parked")

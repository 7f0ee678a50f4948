"""One benchmark run: every figure beside its raw limit or peer, measured in the same run.

`uv run python bench/run.py [--smoke] [--json PATH]`. Uses DATABASE_URL / NATS_URL when set,
else embedded servers. Prints one table and writes the same rows as JSON with the machine.
`--smoke` runs every row tiny (CI: it must finish and print every row; no timing verdicts).

Rows: the backbone (append beside two raw inserts, relay beside publish, projection apply
beside pull-and-ack consume), a rebuild and a replay of a large history beside raw consumes,
the `eventsourcing` library's PostgreSQL recorder as the peer, and on the whole stack (every
service as a process): a mixed workload's command-to-read-model latency at fixed rates, in the
owning read model and in the stations board; command throughput of each write service with
one and two replicas; and each service's resident memory idle and under load.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict

import aiohttp
import asyncpg
import httpx
import nats

sys.path.insert(0, str(Path(__file__).parent))
from foundation import (
    PAYLOAD,
    our_append,
    our_projection,
    our_relay,
    raw_consume,
    raw_insert,
    raw_publish,
)
from shegong_runtime import auth, bus, generations
from shegong_runtime.connections import create_pool, with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from shegong_runtime.eventstore import EventStore
from shegong_runtime.ops import replay as ops
from shegong_runtime.settings import Settings
from shegong_testing.http import open_stations

STATION, DISTRICT = "bench-station", "bench-district"


class Size(TypedDict):
    """How much each part of a run does: the smoke run's or the full run's."""

    events: int
    history: int
    rates: list[float]
    seconds: float
    households: int
    tp: float


@dataclass
class Row:
    """One line of the table: ours beside the raw limit (or the peer) it stands on."""

    section: str
    name: str
    ours: float
    unit: str
    raw_name: str = ""
    raw: float | None = None
    target: str = ""  # what the issue asks of the ratio or the figure; "" when none

    @property
    def ratio(self) -> float | None:
        return self.ours / self.raw if self.raw else None


# ---- backbone, rebuild, replay, peer -------------------------------------------------------


async def raw_autocommit(pool: asyncpg.Pool, writers: int, total: int) -> float:
    """The fair raw baseline of one append: a single statement in its own (implicit) transaction."""
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS raw_auto (id uuid PRIMARY KEY, stream text, data jsonb)"
    )
    per = total // writers

    async def work(w: int) -> None:
        async with pool.acquire() as conn:
            for _ in range(per):
                await conn.execute(
                    "INSERT INTO raw_auto VALUES ($1, $2, $3::jsonb)",
                    uuid.uuid4(),
                    f"s{w}",
                    PAYLOAD.decode(),
                )

    started = time.perf_counter()
    await asyncio.gather(*(work(w) for w in range(writers)))
    return per * writers / (time.perf_counter() - started)


def peer_append(database_url: str, writers: int, total: int) -> float:
    """The `eventsourcing` library's PostgreSQL application recorder, one event per insert."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    from psycopg.conninfo import conninfo_to_dict

    c = conninfo_to_dict(database_url)
    datastore = PostgresDatastore(
        str(c.get("dbname", "postgres")),
        str(c.get("host", "127.0.0.1")),
        str(c.get("port", 5432)),
        str(c.get("user", "postgres")),
        str(c.get("password", "")),
        pool_size=writers,
        max_overflow=0,
        schema="peer",
        connect_timeout=30,
    )
    with datastore.get_connection() as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS peer")
    datastore.pool.wait(timeout=120)  # every connection open before the clock starts
    recorder = PostgresApplicationRecorder(datastore, events_table_name="peer_events")
    recorder.create_table()
    per = total // writers
    failures: list[BaseException] = []

    def work() -> None:
        agg = uuid.uuid4()
        try:
            for v in range(1, per + 1):
                recorder.insert_events([StoredEvent(agg, v, "probe:ProbeRecorded", PAYLOAD)])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = per * writers / (time.perf_counter() - started)
    datastore.close()
    if failures:
        raise failures[0]
    return rate


async def raw_ordered(js, total: int) -> float:
    """An ordered push consumer over the domain stream, each message written out as it is."""
    out = io.StringIO()
    sub = await js.subscribe("sw.probe.>", ordered_consumer=True)
    seen, started = 0, time.perf_counter()
    try:
        while seen < total:
            msg = await sub.next_msg(timeout=10)
            out.write(msg.data.decode())
            out.write("\n")
            seen += 1
    finally:
        await sub.unsubscribe()
    return seen / (time.perf_counter() - started)


async def our_replay(js) -> tuple[float, int]:
    """`shegong replay --domain probe` to a JSON Lines file (decoded, upcast, rendered)."""
    run = ops.Replay(js, ops.Selection(domains=("probe",)))
    total = await run.open()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        try:
            await ops.export(run, out)
        finally:
            await run.close()
    return run.report.delivered / (time.perf_counter() - started), total


async def backbone(database_url: str, nats_url: str, events: int, history: int) -> list[Row]:
    settings = Settings(
        database_url=database_url,
        nats_url=nats_url,
        relay_batch_size=1000,
        projection_batch_size=500,
    )
    pool = await create_pool(database_url, min_size=17, max_size=17)
    nc = await nats.connect(nats_url)
    js = nc.jetstream(publish_async_max_pending=4000)
    rows: list[Row] = []
    try:
        store = EventStore(pool, "bench")
        await store.migrate()
        await bus.ensure_domain_streams(js, ["probe"], settings)
        one, many = max(events // 4, 1), events
        # five rounds, the order turned each round, each figure the median of its five: a
        # second of noise on a shared machine moves one run by 10-20%, the median far less
        rounds: dict[str, list[float]] = {}
        for turn in range(5):
            runs = {
                "raw_tx1": lambda: raw_insert(pool, 1, one),
                "raw_auto1": lambda: raw_autocommit(pool, 1, one),
                "ours1": lambda: our_append(store, 1, one),
                "raw_tx16": lambda: raw_insert(pool, 16, many),
                "raw_auto16": lambda: raw_autocommit(pool, 16, many),
                "ours16": lambda: our_append(store, 16, many),
                "outside16": lambda: our_append(store, 16, many, loaded=False),
            }
            for name in runs if turn % 2 == 0 else reversed(runs):
                rounds.setdefault(name, []).append(await runs[name]())
        raw_tx1, raw_auto1, ours1, raw_tx16, raw_auto16, ours16, outside16 = (
            statistics.median(rounds[k])
            for k in (
                "raw_tx1",
                "raw_auto1",
                "ours1",
                "raw_tx16",
                "raw_auto16",
                "ours16",
                "outside16",
            )
        )
        peer1 = await asyncio.to_thread(peer_append, database_url, 1, one)
        peer16 = await asyncio.to_thread(peer_append, database_url, 16, many)
        rows += [
            Row("backbone", "append, 1 writer", ours1, "/s", "raw INSERT, autocommit", raw_auto1),
            Row("backbone", "append, 1 writer", ours1, "/s", "raw BEGIN/INSERT/COMMIT", raw_tx1),
            Row(
                "backbone",
                "append, 16 writers",
                ours16,
                "/s",
                "raw INSERT, autocommit",
                raw_auto16,
                ">= 90%",
            ),
            Row(
                "backbone", "append, 16 writers", ours16, "/s", "raw BEGIN/INSERT/COMMIT", raw_tx16
            ),
            Row(
                "backbone",
                "append, 16 writers, If-Match version",
                outside16,
                "/s",
                "raw INSERT, autocommit",
                raw_auto16,
            ),
            Row(
                "peer",
                "append, 1 writer",
                ours1,
                "/s",
                "eventsourcing 9.5 PostgreSQL recorder",
                peer1,
            ),
            Row(
                "peer",
                "append, 16 writers",
                ours16,
                "/s",
                "eventsourcing 9.5 PostgreSQL recorder",
                peer16,
            ),
        ]
        stored = 5 * (one + 2 * many)
        pub = await raw_publish(js, stored)
        relay = await our_relay(store, nc, settings, stored)
        consume = await raw_consume(js, stored, settings.projection_batch_size)
        apply = await our_projection(pool, nc, settings, stored)
        rows += [
            Row(
                "backbone",
                "relay publish",
                relay,
                "ev/s",
                "JetStream publish, 2 msgs/event",
                pub / 2,
            ),
            Row(
                "backbone",
                "projection apply",
                apply,
                "ev/s",
                "JetStream pull-and-ack consume",
                consume,
                ">= 80%",
            ),
        ]
        # a history of `history` events for the rebuild and the replay
        more = max(history - stored, 0)
        if more:
            await our_append(store, 16, more)
            await our_relay(store, nc, settings, more - more % 16)
        held = (await js.stream_info("SW_PROBE")).state.messages
        raw_hist = await raw_publish(js, held)  # BENCH_RAW with as many messages
        consume_hist = await raw_consume(js, held, settings.projection_batch_size)
        rebuild = await our_projection(pool, nc, settings, held)
        replay, replayed = await our_replay(js)
        ordered = await raw_ordered(js, held)
        del raw_hist
        rows += [
            Row(
                "history",
                f"rebuild from {held:,} events",
                rebuild,
                "ev/s",
                "JetStream pull-and-ack consume",
                consume_hist,
                ">= 60%",
            ),
            Row(
                "history",
                f"replay {replayed:,} events to JSONL",
                replay,
                "ev/s",
                "JetStream ordered consume",
                ordered,
                ">= 70%",
            ),
        ]
    finally:
        await nc.close()
        await pool.close()
    return rows


# ---- the whole stack ------------------------------------------------------------------------


class Service:
    """Replicas of one service, each `shegong serve <name>` on its own port."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.env, self.logs = name, env, logs
        self.procs: dict[int, subprocess.Popen] = {}

    def start(self) -> None:
        port = free_port()
        log = open(self.logs / f"{self.name}-{port}.log", "ab")
        loop = self.env.get("SHEGONG_BENCH_LOOP")  # an A/B of event loops (bench/serve.py)
        cmd = (
            [
                sys.executable,
                str(Path(__file__).with_name("serve.py")),
                self.name,
                "--port",
                str(port),
                "--loop",
                loop,
            ]
            if loop
            else [
                sys.executable,
                "-m",
                "shegong_runtime.cli",
                "serve",
                self.name,
                "--port",
                str(port),
            ]
        )
        self.procs[port] = subprocess.Popen(
            cmd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.procs]

    async def ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            for url in self.urls:
                while True:
                    try:
                        if (await client.get(f"{url}/readyz", timeout=2)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{self.name} at {url} not ready")
                    await asyncio.sleep(0.2)

    def rss_mb(self) -> float:
        """Resident memory of the first replica."""
        pid = next(iter(self.procs.values())).pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop_last(self) -> None:
        """Stop the replica started last."""
        port = list(self.procs)[-1]
        proc = self.procs.pop(port)
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass(frozen=True)
class Kind:
    """One kind of command of the mixed workload: where it goes, and where its effect shows
    (a row with its id) in the owning service's read model and in the stations board."""

    name: str
    service: str
    weight: int
    own_model: str  # projection whose live schema holds the owning read model
    own_sql: str  # {s}: the schema; {p}: the ids; {h}: their households → the ids present
    board_sql: str


KINDS = (
    Kind(
        "household",
        "visits",
        3,
        "visits_read",
        "SELECT household_id FROM {s}.households WHERE household_id = any({p}::text[])",
        "SELECT household_id FROM {s}.households WHERE household_id = any({p}::text[])",
    ),
    Kind(
        "visit",
        "visits",
        2,
        "visits_read",
        "SELECT facts->>'visit_id' FROM {s}.timeline WHERE household_id = any({h}::text[]) "
        "AND event_type = 'VisitRecorded' AND facts->>'visit_id' = any({p}::text[])",
        "SELECT visit_id FROM {s}.visits WHERE visit_id = any({p}::text[])",
    ),
    Kind(
        "need",
        "visits",
        2,
        "visits_read",
        "SELECT need_id FROM {s}.needs WHERE need_id = any({p}::text[])",
        "SELECT need_id FROM {s}.needs WHERE need_id = any({p}::text[])",
    ),
    Kind(
        "meeting",
        "engagement",
        2,
        "engagement_views",
        "SELECT meeting_id FROM {s}.meetings WHERE meeting_id = any({p}::text[])",
        "SELECT meeting_id FROM {s}.meetings WHERE meeting_id = any({p}::text[])",
    ),
    Kind(
        "filing",
        "registry",
        1,
        "registry_organisations",
        "SELECT organisation_id FROM {s}.organisations WHERE organisation_id = any({p}::text[])",
        "SELECT org_id FROM {s}.organisations WHERE org_id = any({p}::text[])",
    ),
)
MIX = [k for k in KINDS for _ in range(k.weight)]
VISIT = {
    "mode": "home_visit",
    "social_worker_ids": ["bench-worker"],
    "services": [{"kind": "counselling"}],
    "notes": "老人情绪稳定",
}


def command(
    kind: Kind, households: list[str], busy: AbstractSet[str] = frozenset()
) -> tuple[str, str, dict]:
    """(id, path, body) of a fresh command of `kind`; visits and needs go to a known household
    with no command in flight (`busy`), so none is refused for a concurrent write."""
    tag = uuid.uuid4().hex[:12]
    today = "2026-03-10"
    if kind.name == "household":
        hid = f"hh-bench-{tag}"
        return (
            hid,
            "/households",
            {
                "household_id": hid,
                "station_id": STATION,
                "categories": ["minimum_living_allowance"],
                "head_name": "示例 户主",
            },
        )
    if kind.name == "visit":
        vid = f"vs-bench-{tag}"
        return (
            vid,
            f"/households/{_idle(households, busy)}/visits",
            {
                **VISIT,
                "visit_id": vid,
                "visited_at": f"{today}T10:00:00+08:00",
            },
        )
    if kind.name == "need":
        nid = f"nd-bench-{tag}"
        return (
            nid,
            f"/households/{_idle(households, busy)}/needs",
            {
                "need_id": nid,
                "category": "housing",
                "severity": "medium",
                "identified_on": today,
            },
        )
    if kind.name == "meeting":
        mid = f"mt-bench-{tag}"
        return (
            mid,
            f"/stations/{STATION}/meetings",
            {
                "meeting_id": mid,
                "kind": "resident_deliberation",
                "title": "居民议事会",
                "scheduled_on": today,
                "members_total": 20,
            },
        )
    oid = f"org-bench-{tag}"
    return (
        oid,
        f"/stations/{STATION}/organisations",
        {
            "organisation_id": oid,
            "name": f"合唱团{tag}",
            "category": "culture_sports",
            "community": "示例社区",
            "responsible_person": "示例负责人",
            "responsible_phone": "13900000000",
            "venue": "社区活动室",
            "members": 15,
            "activity_area": "示例社区",
            "charter_summary": "每周排练两次",
        },
    )


def _idle(households: list[str], busy: AbstractSet[str]) -> str:
    for hid in random.sample(households, min(50, len(households))):
        if hid not in busy:
            return hid
    return random.choice(households)


class Latency:
    """Open-loop mixed commands at a fixed rate; a watcher sees when each shows in its owning
    read model and in the stations board (a row with its id, polled every 3 ms)."""

    def __init__(
        self, pool: asyncpg.Pool, urls: dict[str, list[str]], token: str, households: list[str]
    ) -> None:
        self.pool, self.urls, self.households = pool, urls, households
        self.headers = {"Authorization": f"Bearer {token}"}
        self.pending: dict[str, tuple[Kind, float, str | None]] = {}  # id → kind, when, household
        self.own: list[float] = []
        self.board: list[float] = []
        self.http: list[float] = []
        self.failed = 0
        self.kinds: dict[str, int] = {}
        self.busy: set[str] = set()  # households with a command in flight

    async def command(
        self, client: aiohttp.ClientSession, i: int, kind: Kind | None = None
    ) -> None:
        kind = kind or (MIX[i % len(MIX)] if self.households else KINDS[0])
        ident, path, body = command(kind, self.households, self.busy)
        target = path.split("/")[2] if path.startswith("/households/") else None
        if target:
            self.busy.add(target)
        replicas = self.urls[kind.service]
        sent = time.perf_counter()
        try:
            status, text = await post(
                client, replicas[i % len(replicas)] + path, body, self.headers
            )
        except (aiohttp.ClientError, TimeoutError):
            self.failed += 1
            return
        finally:
            self.busy.discard(target or "")
        accepted = time.perf_counter()
        if status >= 300:
            self.failed += 1
            if self.failed <= 3:
                print(f"  {kind.name}: {status} {text[:300]}", file=sys.stderr)
            return
        self.http.append((accepted - sent) * 1000)
        self.kinds[kind.name] = self.kinds.get(kind.name, 0) + 1
        self.pending[ident] = (kind, accepted, target)

    def _probe(self, own: dict[str, str], board: str) -> str:
        """One statement for every kind and both places (ids in $1.., households last), so the
        watcher costs the database one indexed round trip a tick, whatever is pending."""
        branches, n = [], 0
        for kind in KINDS:
            for where, sql, schema in (
                ("own", kind.own_sql, own[kind.own_model]),
                ("board", kind.board_sql, board),
            ):
                n += 1
                text = sql.format(s=schema, p=f"${n}", h=f"${2 * len(KINDS) + 1}")
                branches.append(f"SELECT '{where}' AS w, x::text FROM ({text}) AS q{n}(x)")
        return " UNION ALL ".join(branches)

    async def watch(self, stop: asyncio.Event) -> None:
        board = await generations.live_schema(self.pool, "stations_board")
        own = {k.own_model: await generations.live_schema(self.pool, k.own_model) for k in KINDS}
        probe = self._probe(own, board)
        seen: dict[str, set[str]] = {"own": set(), "board": set()}
        last_news = time.perf_counter()
        async with self.pool.acquire() as conn:
            while not stop.is_set() or self.pending:
                args: list[list[str]] = []
                for kind in KINDS:
                    ids = [i for i, (k, _, _) in self.pending.items() if k is kind]
                    args += [[i for i in ids if i not in seen[w]] for w in ("own", "board")]
                households = [h for (_, _, h) in self.pending.values() if h]
                now = time.perf_counter()
                for where, ident in await conn.fetch(probe, *args, households) if any(args) else []:
                    if ident in self.pending and ident not in seen[where]:
                        seen[where].add(ident)
                        (self.own if where == "own" else self.board).append(
                            max(now - self.pending[ident][1], 0.0) * 1000
                        )
                        last_news = now
                for ident in [i for i in self.pending if i in seen["own"] and i in seen["board"]]:
                    kind, _, _ = self.pending.pop(ident)
                    seen["own"].discard(ident)
                    seen["board"].discard(ident)
                    if kind.name == "household":
                        self.households.append(ident)
                if stop.is_set() and time.perf_counter() - last_news > 30:
                    break  # something never showed: leave it out
                await asyncio.sleep(0.003)

    async def run(self, rate: float, seconds: float, only: Kind | None = None) -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(self.watch(stop))
        async with client_session(200) as client:
            tasks, started = [], time.perf_counter()
            for i in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
                tasks.append(asyncio.create_task(self.command(client, i, only)))
            await asyncio.gather(*tasks)
        stop.set()
        await watcher


async def throughput(urls: list[str], token: str, seconds: float, clients: int, make) -> float:
    """Closed loop: `clients` workers send `make()` commands (path, body) as fast as answers come."""
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: aiohttp.ClientSession, w: int) -> None:
        nonlocal done
        url = urls[w % len(urls)]
        while time.perf_counter() < deadline:
            path, body = make()
            status, _ = await post(client, url + path, body, headers)
            if status < 300:
                done += 1

    started = time.perf_counter()
    async with client_session(clients * 2) as client:
        await asyncio.gather(*(worker(client, w) for w in range(clients)))
    return done / (time.perf_counter() - started)


def client_session(connections: int) -> aiohttp.ClientSession:
    """The load's HTTP client: aiohttp, which costs the machine a third of what httpx does
    per request; the load generator shares the cores with the stack it measures."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def post(
    client: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str]
) -> tuple[int, str]:
    """A command under a fresh Idempotency-Key: its status, and its text when refused."""
    async with client.post(
        url, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    ) as r:
        raw = await r.read()
        return r.status, raw.decode(errors="replace") if r.status >= 300 else ""


def _write_commands(households: list[str]) -> dict[str, object]:
    """Per write service, a maker of fresh commands for the throughput runs."""
    by_name = {k.name: k for k in KINDS}

    def of(kind: str):
        return lambda: command(by_name[kind], households)[1:]

    def recipient() -> tuple[str, dict]:
        return "/recipients", {
            "recipient_id": f"bench-{uuid.uuid4().hex[:12]}",
            "role": "social_worker",
            "station_id": STATION,
        }

    return {
        "registry": of("filing"),
        "visits": of("household"),
        "engagement": of("meeting"),
        "notifications": recipient,
    }


WRITE_SERVICES = ("registry", "visits", "engagement", "notifications")
READ_SERVICES = ("stations",)


async def stack(
    database_url: str,
    nats_url: str,
    rates: list[float],
    seconds: float,
    households: int,
    tp_seconds: float,
    logs: Path,
) -> list[Row]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "SHEGONG_LOG_JSON": "true",
        "SHEGONG_DATABASE_POOL_SIZE": "8",
        "SHEGONG_LOG_LEVEL": "WARNING",
    }
    settings = Settings(database_url=database_url, nats_url=nats_url)
    nc = await nats.connect(nats_url)
    await open_stations(nc, settings, [(STATION, DISTRICT)])
    token = auth.issue(settings, "bench-worker", auth.Role.city_admin)
    services = {name: Service(name, env, logs) for name in (*WRITE_SERVICES, *READ_SERVICES)}
    for service in services.values():
        service.start()
    rows: list[Row] = []
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    try:
        for service in services.values():
            await service.ready()
        await asyncio.sleep(1.0)
        rss_idle = {name: s.rss_mb() for name, s in services.items()}
        urls = {name: s.urls for name, s in services.items()}
        warm = Latency(pool, urls, token, [])
        # households to visit later, and warm-up of every path
        await warm.run(min(households / 2, 50.0), 2.0, KINDS[0])
        hids = list(warm.households)
        await Latency(pool, urls, token, hids).run(min(households / 2, 50.0), 1.0)
        rss_load: dict[str, float] = {}
        for rate in rates:
            lat = Latency(pool, urls, token, hids)
            await lat.run(rate, seconds)
            rss_load = {
                name: max(rss_load.get(name, 0.0), s.rss_mb()) for name, s in services.items()
            }
            n = f"{len(lat.own)} cmds" + (f", {lat.failed} failed" if lat.failed else "")
            for where, values, target in (
                ("owning read model", lat.own, ""),
                ("stations board", lat.board, "p99 < 100 ms" if rate >= 100 else ""),
            ):
                for q, beside, t in (
                    (50, f"HTTP answer p50 ({n})", ""),
                    (95, "HTTP answer p95", ""),
                    (99, "HTTP answer p99", target),
                ):
                    rows.append(
                        Row(
                            "e2e",
                            f"{rate:.0f} cmd/s -> {where} p{q}",
                            pct(values, q),
                            "ms",
                            beside,
                            pct(lat.http, q),
                            t,
                        )
                    )
        makers = _write_commands(hids)
        for name in WRITE_SERVICES:
            service = services[name]
            one = await throughput(service.urls, token, tp_seconds, 16, makers[name])
            service.start()
            await service.ready()
            two = await throughput(service.urls, token, tp_seconds, 16, makers[name])
            service.stop_last()
            rows.append(
                Row(
                    "scale",
                    f"{name} commands, 2 replicas",
                    two,
                    "cmd/s",
                    f"{name} commands, 1 replica",
                    one,
                    "> 100%",
                )
            )
        for name in services:
            rows.append(
                Row(
                    "memory",
                    f"{name} RSS under load",
                    rss_load[name],
                    "MB",
                    f"{name} RSS idle",
                    rss_idle[name],
                )
            )
    finally:
        await pool.close()
        for service in services.values():
            service.stop()
        await nc.close()
    return rows


# ---- a city's year beside the demo size ------------------------------------------------------


async def clean_streams(nats_url: str) -> None:
    """Each history gets its own streams: the two sizes run one after the other on one server."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            name = info.config.name or ""
            if name.startswith(("SW_", "SWP_")):
                await js.delete_stream(name)
    finally:
        await nc.close()


async def one_history(
    database_url: str, nats_url: str, stations: int, scale: float, readers: int, each: int
) -> dict[str, float]:
    from cityyear.generate import generate
    from cityyear.load import load
    from cityyear.measure import measure

    await clean_streams(nats_url)
    small = {"database_pool_size": 3}
    done = await generate(database_url, stations, scale)
    loaded = await load(database_url, nats_url, **small)
    figures = {
        "events generated": float(done.total),
        "generation (s)": done.seconds,
        "generation (ev/s)": done.total / done.seconds,
        "relays and projections, the whole history (s)": loaded.seconds,
    }
    figures |= {f"notifications, {what}": value for what, value in loaded.notifications.items()}
    print(f"history of {stations} stations loaded: {figures}", file=sys.stderr, flush=True)
    figures |= await measure(database_url, nats_url, stations, readers, each, **small)
    return figures


async def bulk_against_copy(
    database_url: str, events: int, batch: int = 5000
) -> tuple[float, float]:
    """(events/s through `EventStore.append_bulk`, events/s of a raw COPY of the same rows into
    the same table), each in transactions of `batch`: the generator's and an import's path
    beside the fastest way PostgreSQL takes rows. Medians of four turned rounds."""
    from shegong_runtime.eventstore import _COLUMNS, _row
    from shegong_testing.probe import probe_event

    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        store = EventStore(pool, f"bulk_{uuid.uuid4().hex[:8]}")
        await store.migrate()

        def envelopes(tag: str) -> list:
            out = []
            for i in range(events):  # streams of ten events, as households grow
                agg = f"{tag}{i // 10}"
                out.append(
                    probe_event(agg, i, "x" * 200).model_copy(
                        update={"aggregate_version": i % 10 + 1}
                    )
                )
            return out

        columns = [c.strip() for c in _COLUMNS.split(",")]

        async def ours(rows: list) -> float:
            started = time.perf_counter()
            for k in range(0, events, batch):
                async with store.transaction() as conn:
                    await store.append_bulk(rows[k : k + batch], conn)
            return events / (time.perf_counter() - started)

        async def raw(rows: list) -> float:
            started = time.perf_counter()
            for k in range(0, events, batch):
                async with pool.acquire() as conn, conn.transaction():
                    await conn.copy_records_to_table(
                        "events",
                        schema_name=store.schema,
                        columns=columns,
                        records=[_row(e.stream_id, e) for e in rows[k : k + batch]],
                    )
            return events / (time.perf_counter() - started)

        rates: dict[str, list[float]] = {"ours": [], "raw": []}
        for round_ in range(4):  # turned rounds: ours, raw, raw, ours
            for name in ("ours", "raw") if round_ in (0, 3) else ("raw", "ours"):
                rows = envelopes(f"{name}{round_}-")
                rates[name].append(await (ours if name == "ours" else raw)(rows))
        ours_rate, raw_rate = statistics.median(rates["ours"]), statistics.median(rates["raw"])
        await pool.execute(f"DROP SCHEMA {store.schema} CASCADE")
        return ours_rate, raw_rate
    finally:
        await pool.close()


# reads that answer every row of their scope by design (a station's household ledger as a
# workbook): measured beside the pages, judged as downloads
DOWNLOADS = ("GET /ledger/households p99",)


async def history(
    pg_url: str, nats_url: str, databases: list[str], stations: int, scale: float, smoke: bool
) -> list[Row]:
    """The same figures on a demo-size history (6 stations, a few hundred events) and on the
    year of `stations` stations: read routes under 20 readers, a command, storage, rebuilds,
    a replay, cold starts, memory."""
    readers, each = (4, 1) if smoke else (20, 3)
    demo = await one_history(with_database(pg_url, databases[0]), nats_url, 6, 0.02, readers, each)
    year = await one_history(
        with_database(pg_url, databases[1]), nats_url, stations, scale, readers, each
    )
    ours, raw = await bulk_against_copy(
        with_database(pg_url, databases[1]), 5_000 if smoke else 100_000
    )
    rows = [
        Row(
            "volume",
            "bulk append (append_bulk)",
            ours,
            "ev/s",
            "raw COPY, same table",
            raw,
            ">= 50%",
        )
    ]
    for name, value in year.items():
        unit = name.rsplit("(", 1)[-1].rstrip(")") if name.endswith(")") else ""
        target = ""
        if name.endswith("p99 (ms)") and any(d in name for d in DOWNLOADS):
            target = "a download of the station's every row, not a page"
        elif name.endswith("p99 (ms)") and "GET" in name:
            target = "< 100 ms, <= 2x demo"
        elif name == "command p99 (ms)":
            target = "< 20 ms"
        elif name.startswith("rebuild"):
            target = "< 600 s"
        rows.append(
            Row("volume", name.rsplit(" (", 1)[0], value, unit, "demo size", demo.get(name), target)
        )
    return rows


# ---- the run --------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    load = os.getloadavg()
    return {
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average_1m": round(load[0], 2),
    }


def render(rows: list[Row], info: dict[str, object]) -> str:
    lines = [
        f"machine: {info['machine']}, {info['cores']} cores, Python {info['python']}, load {info['load_average_1m']} at start",
        "",
        f"{'section':<9}{'ours':<40}{'figure':>10} {'unit':<6}  {'beside':<40}{'figure':>10}{'ratio':>8}  target",
    ]
    for r in rows:
        raw = f"{r.raw:>10.1f}" if r.raw is not None else f"{'':>10}"
        ratio = f"{r.ratio:>8.0%}" if r.ratio is not None else f"{'':>8}"
        lines.append(
            f"{r.section:<9}{r.name:<40}{r.ours:>10.1f} {r.unit:<6}  {r.raw_name:<40}{raw}{ratio}  {r.target}"
        )
    return "\n".join(lines)


async def main(
    smoke: bool,
    json_path: Path,
    part: str = "all",
    seconds: float | None = None,
    history_stations: int = 100,
    history_scale: float = 1.0,
) -> None:
    info = machine()
    tmp = Path(tempfile.mkdtemp(prefix="shegong-bench-"))
    nats_server = pg_server = None
    nats_url = os.environ.get("NATS_URL") or (nats_server := EmbeddedNats(tmp / "nats").start()).url
    pg_url = (
        os.environ.get("DATABASE_URL") or (pg_server := EmbeddedPostgres(tmp / "pg").start()).url
    )
    admin = await asyncpg.connect(pg_url)
    names = [f"shegong_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        await admin.execute(f"CREATE DATABASE {name}")
    try:
        size: Size = (
            {
                "events": 320,
                "history": 800,
                "rates": [25, 50, 100],
                "seconds": 0.6,
                "households": 20,
                "tp": 1.0,
            }
            if smoke
            else {
                "events": 8000,
                "history": 100_000,
                "rates": [25, 50, 100],
                "seconds": 20.0,
                "households": 200,
                "tp": 10.0,
            }
        )
        if seconds:  # a shorter whole-stack run (an A/B), every rate and throughput run this long
            size["seconds"], size["tp"] = seconds, seconds / 2
        rows = []
        if part in ("all", "backbone"):
            rows += await backbone(
                with_database(pg_url, names[0]),
                nats_url,
                events=size["events"],
                history=size["history"],
            )
        if part == "history":  # on its own: loading a year is long, and the machine is its
            rows += await history(pg_url, nats_url, names, history_stations, history_scale, smoke)
        if part in ("all", "stack"):
            rows += await stack(
                with_database(pg_url, names[1]),
                nats_url,
                size["rates"],
                size["seconds"],
                size["households"],
                size["tp"],
                tmp,
            )
    finally:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        if nats_server:
            nats_server.stop()
        if pg_server:
            pg_server.stop()
    info["smoke"] = smoke
    print(render(rows, info))
    json_path.write_text(
        json.dumps(
            {"machine": info, "rows": [{**asdict(r), "ratio": r.ratio} for r in rows]}, indent=1
        )
    )
    print(f"\nwritten: {json_path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every row tiny: it must finish, figures mean nothing"
    )
    parser.add_argument("--json", type=Path, default=Path("bench/latest.json"))
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default=None,
        help="pin the services' event loop (default: as `shegong serve` picks it)",
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="seconds of load per rate (default 20)"
    )
    parser.add_argument(
        "--part",
        choices=("all", "backbone", "stack", "history"),
        default="all",
        help="the backbone rows only, the whole-stack rows only, or a city's year (--history)",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="a generated year beside the demo size (the same as --part history)",
    )
    parser.add_argument("--history-stations", type=int, default=100)
    parser.add_argument("--history-scale", type=float, default=1.0)
    args = parser.parse_args()
    if args.loop:
        os.environ["SHEGONG_BENCH_LOOP"] = args.loop
    part = "history" if args.history else args.part
    asyncio.run(
        main(
            args.smoke,
            args.json,
            part,
            args.seconds,
            args.history_stations,
            args.history_scale,
        )
    )

"""One benchmark run: every figure beside its raw limit or peer, measured in the same run.

`uv run python bench/run.py [--smoke] [--json PATH]`. Uses DATABASE_URL / NATS_URL when set,
else embedded servers. Prints one table and writes the same rows as JSON with the machine.
`--smoke` runs every row tiny (CI: it must finish and print every row; no timing verdicts).

Rows: the backbone (append beside two raw inserts, relay beside publish, projection apply
beside pull-and-ack consume), a rebuild and a replay of a large history beside raw consumes,
the `eventsourcing` library's PostgreSQL recorder as the peer, and on the whole stack (visits
and stations as processes): command-to-read-model latency at fixed rates, command throughput
with one and two replicas, and each service's resident memory idle and under load.
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
from dataclasses import asdict, dataclass
from pathlib import Path

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
from shegong_runtime.testing_http import open_stations

STATION, DISTRICT = "bench-station", "bench-district"
TIERS = ("key", "high", "general")


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
        except BaseException as exc:  # noqa: BLE001 - re-raised after the join: a failed writer must not pass for a fast one
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


async def raw_ordered(js, total: int) -> float:  # type: ignore[no-untyped-def]
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


async def our_replay(js) -> tuple[float, int]:  # type: ignore[no-untyped-def]
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
        raw_tx1, raw_auto1 = await raw_insert(pool, 1, one), await raw_autocommit(pool, 1, one)
        ours1 = await our_append(store, 1, one)
        raw_tx16, raw_auto16 = (
            await raw_insert(pool, 16, many),
            await raw_autocommit(pool, 16, many),
        )
        ours16 = await our_append(store, 16, many)
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
        stored = one + many
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
        log = open(self.logs / f"{self.name}-{port}.log", "ab")  # noqa: SIM115
        self.procs[port] = subprocess.Popen(
            [sys.executable, "-m", "shegong_runtime.cli", "serve", self.name, "--port", str(port)],
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


class Latency:
    """Open-loop commands at a fixed rate; a watcher sees when each shows in both read models."""

    def __init__(
        self, pool: asyncpg.Pool, urls: list[str], token: str, households: list[str]
    ) -> None:
        self.pool, self.urls, self.households = pool, urls, households
        self.headers = {"Authorization": f"Bearer {token}"}
        self.tier = dict.fromkeys(households, "general")
        self.busy: set[str] = set()
        self.pending: dict[
            str, tuple[str | None, float]
        ] = {}  # household → (tier or None for a registration, accepted at)
        self.read: list[float] = []
        self.board: list[float] = []
        self.http: list[float] = []
        self.failed = 0
        self._half: dict[str, float] = {}  # seen in one model, waiting for the other

    async def command(self, client: httpx.AsyncClient, i: int) -> None:
        sent = time.perf_counter()
        url = self.urls[i % len(self.urls)]
        if i % 2 == 0:  # a registration
            hid = f"hh-bench-{uuid.uuid4().hex[:12]}"
            path, body, expect = (
                "/households",
                {
                    "household_id": hid,
                    "station_id": STATION,
                    "categories": ["minimum_living_allowance"],
                    "head_name": "示例 户主",
                },
                None,
            )
        else:  # a re-tier of a household with no command in flight
            free = [
                h
                for h in random.sample(self.households, min(20, len(self.households)))
                if h not in self.busy
            ]
            if not free:
                return
            hid = free[0]
            expect = TIERS[(TIERS.index(self.tier[hid]) + 1) % len(TIERS)]
            path, body = (
                f"/households/{hid}/risk-tier",
                {"tier": expect, "reason": "periodic_review", "major_change": True},
            )
        self.busy.add(hid)
        try:
            r = await client.post(
                url + path,
                json=body,
                headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
                timeout=30,
            )
        except httpx.HTTPError:
            self.failed += 1
            self.busy.discard(hid)
            return
        accepted = time.perf_counter()
        if r.status_code >= 300:
            self.failed += 1
            self.busy.discard(hid)
            return
        self.http.append((accepted - sent) * 1000)
        if expect is not None:
            self.tier[hid] = expect
        self.pending[hid] = (expect, accepted)

    async def watch(self, stop: asyncio.Event) -> None:
        read_schema = await generations.live_schema(self.pool, "visits_read")
        board_schema = await generations.live_schema(self.pool, "stations_board")
        seen_read: set[str] = set()
        seen_board: set[str] = set()
        while not stop.is_set() or self.pending:
            ids = list(self.pending)
            if ids:
                now = time.perf_counter()
                for schema, seen, out in (
                    (read_schema, seen_read, self.read),
                    (board_schema, seen_board, self.board),
                ):
                    rows = await self.pool.fetch(
                        f"SELECT household_id, risk_tier FROM {schema}.households WHERE household_id = any($1)",
                        ids,
                    )
                    for row in rows:
                        hid = row["household_id"]
                        expect, accepted = self.pending.get(hid, (None, now))
                        if hid not in seen and (expect is None or row["risk_tier"] == expect):
                            seen.add(hid)
                            out.append(max(now - accepted, 0.0) * 1000)
                for hid in ids:
                    if hid in seen_read and hid in seen_board:
                        seen_read.discard(hid)
                        seen_board.discard(hid)
                        self.pending.pop(hid, None)
                        if hid not in self.tier:
                            self.households.append(hid)
                            self.tier[hid] = "general"
                        self.busy.discard(hid)
                if (
                    stop.is_set()
                    and time.perf_counter()
                    - max(a for _, a in self.pending.values() or [(None, 0)])
                    > 30
                ):
                    break  # something never showed: leave it out
            await asyncio.sleep(0.003)

    async def run(self, rate: float, seconds: float) -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(self.watch(stop))
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
            tasks, started = [], time.perf_counter()
            for i in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
                tasks.append(asyncio.create_task(self.command(client, i)))
            await asyncio.gather(*tasks)
        stop.set()
        await watcher


async def throughput(urls: list[str], token: str, seconds: float, clients: int) -> float:
    """Closed loop: `clients` workers register households as fast as answers come."""
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, w: int) -> None:
        nonlocal done
        url = urls[w % len(urls)]
        while time.perf_counter() < deadline:
            body = {
                "household_id": f"hh-tp-{uuid.uuid4().hex[:12]}",
                "station_id": STATION,
                "categories": ["minimum_living_allowance"],
                "head_name": "示例 户主",
            }
            r = await client.post(
                url + "/households",
                json=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                timeout=30,
            )
            if r.status_code < 300:
                done += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=clients * 2)) as client:
        await asyncio.gather(*(worker(client, w) for w in range(clients)))
    return done / (time.perf_counter() - started)


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
    visits, board = Service("visits", env, logs), Service("stations", env, logs)
    visits.start()
    board.start()
    rows: list[Row] = []
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    try:
        await visits.ready()
        await board.ready()
        await asyncio.sleep(1.0)
        rss_idle = {"visits": visits.rss_mb(), "stations": board.rss_mb()}
        warm = Latency(pool, visits.urls, token, [])
        await warm.run(
            min(households / 2, 50.0), 2.0
        )  # registrations to re-tier later, and warm-up
        hids = list(warm.households)
        for rate in rates:
            lat = Latency(pool, visits.urls, token, hids)
            await lat.run(rate, seconds)
            hids = lat.households
            n = f"{len(lat.read)} cmds" + (f", {lat.failed} failed" if lat.failed else "")
            for where, values, target in (
                ("visits read model", lat.read, ""),
                ("stations board", lat.board, "p99 < 100 ms" if rate >= 100 else ""),
            ):
                rows.append(
                    Row(
                        "e2e",
                        f"{rate:.0f} cmd/s -> {where} p50",
                        pct(values, 50),
                        "ms",
                        f"HTTP answer p50 ({n})",
                        pct(lat.http, 50),
                    )
                )
                rows.append(
                    Row(
                        "e2e",
                        f"{rate:.0f} cmd/s -> {where} p95",
                        pct(values, 95),
                        "ms",
                        "HTTP answer p95",
                        pct(lat.http, 95),
                    )
                )
                rows.append(
                    Row(
                        "e2e",
                        f"{rate:.0f} cmd/s -> {where} p99",
                        pct(values, 99),
                        "ms",
                        "HTTP answer p99",
                        pct(lat.http, 99),
                        target,
                    )
                )
        rss_load = {"visits": visits.rss_mb(), "stations": board.rss_mb()}
        one = await throughput(visits.urls, token, tp_seconds, 16)
        visits.start()
        await visits.ready()
        two = await throughput(visits.urls, token, tp_seconds, 16)
        rows += [
            Row(
                "scale",
                "visits commands, 2 replicas",
                two,
                "cmd/s",
                "visits commands, 1 replica",
                one,
                "> 100%",
            ),
        ]
        for name in ("visits", "stations"):
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
        visits.stop()
        board.stop()
        await nc.close()
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


async def main(smoke: bool, json_path: Path) -> None:
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
        if smoke:
            rows = await backbone(
                with_database(pg_url, names[0]), nats_url, events=320, history=800
            )
            rows += await stack(
                with_database(pg_url, names[1]), nats_url, [25, 50, 100], 0.6, 20, 1.0, tmp
            )
        else:
            rows = await backbone(
                with_database(pg_url, names[0]), nats_url, events=8000, history=100_000
            )
            rows += await stack(
                with_database(pg_url, names[1]), nats_url, [25, 50, 100], 20.0, 200, 10.0, tmp
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
    args = parser.parse_args()
    asyncio.run(main(args.smoke, args.json))

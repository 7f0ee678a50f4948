"""Figures of a loaded year: every read route's p50/p99 under concurrent readers, a command's
p99, storage per event in PostgreSQL and JetStream, each read model's rebuild, a full replay,
each service's start on the history, and the process's memory. Every service runs in this
process (as `load` runs them), so the readers, the services and their projections share it."""

from __future__ import annotations

import asyncio
import io
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from shegong_events.subjects import stream_name
from shegong_runtime import auth, bus
from shegong_runtime.ops import replay as ops
from shegong_runtime.projection import rebuild
from shegong_runtime.service import runtime
from shegong_runtime.settings import Settings

from cityyear.load import SERVICES, running, wait_settled
from cityyear.routes import reads, real_ids

DOMAINS = ("registry", "visits", "engagement", "notifications")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def read_routes(
    apps: dict[str, Any], ids: dict[str, Any], token: str, readers: int, each: int
) -> dict[str, tuple[float, float]]:
    """(p50, p99) in ms per `service GET route`, `readers` at once, `each` requests apiece."""
    out = {}
    for name, app in apps.items():
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers, timeout=120
        ) as client:
            for route, path, query in reads(app, ids):
                times: list[float] = []

                async def reader(path=path, query=query, times=times) -> None:
                    for _ in range(each):
                        started = time.perf_counter()
                        await client.get(path, params=query)
                        times.append((time.perf_counter() - started) * 1000)

                await asyncio.gather(*(reader() for _ in range(readers)))
                out[f"{name} GET {route}"] = (statistics.median(times), pct(times, 0.99))
    return out


async def commands_p99(app: Any, database_url: str, station_id: str, token: str, n: int) -> float:
    """A visit recorded on `n` of the station's households, one after another (ms, p99)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        households = [
            r["aggregate_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT aggregate_id FROM visits.events WHERE station_id = $1 "
                "AND aggregate_id NOT IN (SELECT aggregate_id FROM visits.events "
                "WHERE event_type = 'HouseholdErased') LIMIT $2",
                station_id,
                n,
            )
        ]
    finally:
        await conn.close()
    times = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for hid in households:
            body = {
                "visited_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                "mode": "phone",
                "social_worker_ids": ["sw-bench"],
            }
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
            started = time.perf_counter()
            r = await client.post(f"/households/{hid}/visits", json=body, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            if r.status_code >= 300:
                raise RuntimeError(f"visit on {hid}: {r.status_code} {r.text[:300]}")
    return pct(times, 0.99)


async def storage(apps: dict[str, Any]) -> dict[str, float]:
    """Bytes per event: each store's events table and its indexes, each domain's streams."""
    out: dict[str, float] = {}
    some = runtime(next(iter(apps.values())))
    for name in DOMAINS:
        row = await some.pool.fetchrow(
            f"SELECT count(*) AS n, pg_relation_size('{name}.events') AS heap, "
            f"pg_total_relation_size('{name}.events') - pg_relation_size('{name}.events') "
            f"- pg_indexes_size('{name}.events') AS toast, "
            f"pg_indexes_size('{name}.events') AS idx FROM {name}.events"
        )
        if not row["n"]:
            continue
        out[f"PostgreSQL {name}.events table bytes/event"] = (row["heap"] + row["toast"]) / row["n"]
        out[f"PostgreSQL {name}.events indexes bytes/event"] = row["idx"] / row["n"]
        js = some.nc.jetstream()
        for stream in (stream_name(name), bus.partition_stream_name(name)):
            info = await js.stream_info(stream)
            if info.state.messages:
                out[f"JetStream {stream} bytes/event"] = info.state.bytes / info.state.messages
    return out


async def rebuilds(apps: dict[str, Any]) -> dict[str, float]:
    """Seconds to rebuild each read model beside the live one and swap (with 1.5 s for the
    live runners to follow the swap before the old generation goes)."""
    out = {}
    for app in apps.values():
        rt = runtime(app)
        for runner in rt.runners:
            started = time.perf_counter()
            await rebuild(runner.projection, rt.pool, rt.nc, rt.settings, grace_s=1.5)
            out[runner.projection.name] = time.perf_counter() - started
    return out


async def full_replay(apps: dict[str, Any]) -> tuple[int, float]:
    """Every domain's history out as JSON Lines: (events, seconds)."""
    rt = runtime(next(iter(apps.values())))
    started = time.perf_counter()
    run = ops.Replay(rt.nc.jetstream(), ops.Selection(DOMAINS, (), (), ()))
    await run.open()
    try:
        await ops.export(run, io.StringIO())
    finally:
        await run.close()
    return run.report.delivered, time.perf_counter() - started


async def measure(
    database_url: str,
    nats_url: str,
    station_count: int,
    readers: int = 20,
    each: int = 3,
    commands: int = 100,
    **overrides: Any,
) -> dict[str, float]:
    figures: dict[str, float] = {}
    starts: dict[str, float] = {}
    for name in SERVICES:  # each service alone on the history: its cold start
        started = time.perf_counter()
        async with running(database_url, nats_url, (name,), **overrides):
            starts[name] = time.perf_counter() - started
    for name, seconds in starts.items():
        figures[f"cold start {name} (s)"] = seconds
    async with running(database_url, nats_url, **overrides) as apps:
        await wait_settled(apps)
        ids = await real_ids(database_url, station_count)
        reader = ids["recipient_id"] or "bench-reader"  # a lead in the directory: a real inbox
        token = auth.issue(Settings(service="bench"), reader, auth.Role.city_admin)
        for route, (p50, p99) in (await read_routes(apps, ids, token, readers, each)).items():
            figures[f"{route} p50 (ms)"] = p50
            figures[f"{route} p99 (ms)"] = p99
        figures["command p99 (ms)"] = await commands_p99(
            apps["visits"], database_url, ids["station_id"], token, commands
        )
        for what, value in (await storage(apps)).items():
            figures[what] = value
        events, seconds = await full_replay(apps)
        figures["full replay (events)"] = events
        figures["full replay (s)"] = seconds
        for projection, seconds in (await rebuilds(apps)).items():
            figures[f"rebuild {projection} (s)"] = seconds
    figures["memory, every service in one process (MB)"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return figures

"""Run every service in this process until the relays have published the year and every
projection has applied it: the production path (relay → domain and partition streams →
partitioned projection runners), only without HTTP traffic. The notifications service's own
jobs count too: its planner plans deliveries from the year's events by the year's rules, the
courier sends them (the rules' channel is the in-app inbox, which needs no network) and
journals each as an event its relay publishes; reminders due are fired by its clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import FastAPI
from nats.js.errors import NotFoundError
from shegong_runtime import catalogue
from shegong_runtime.service import Runtime, runtime
from shegong_runtime.settings import Settings

SERVICES = ("registry", "visits", "engagement", "notifications", "stations")


@dataclass
class Loaded:
    seconds: float
    figures: dict[str, int] = field(default_factory=dict)  # events per store, after the load
    notifications: dict[str, float] = field(default_factory=dict)  # `delivered`


@asynccontextmanager
async def running(
    database_url: str, nats_url: str, names: Sequence[str] = SERVICES, **overrides: Any
) -> AsyncIterator[dict[str, FastAPI]]:
    """Every named service's app with its lifespan running (relay, projections, jobs)."""
    apps: dict[str, FastAPI] = {}
    async with AsyncExitStack() as stack:
        for name in names:
            settings = Settings(
                database_url=database_url, nats_url=nats_url, service=name, **overrides
            )
            app = catalogue.service(name).app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            apps[name] = app
        yield apps


async def unsettled(runtimes: Sequence[Runtime]) -> dict[str, int]:
    """What is not yet through: events a relay has not published, and per projection unit the
    messages its consumer has not delivered or the runner has not checkpointed."""
    behind: dict[str, int] = {}
    for rt in runtimes:
        if rt.relay is not None and (lag := await rt.relay.lag()):
            behind[f"relay:{rt.settings.service}"] = lag
        for runner in rt.runners:
            if runner.generation is None:
                behind[f"{runner.projection.name}:starting"] = 1
                continue
            seqs = dict(
                await rt.pool.fetch(f"SELECT stream, stream_seq FROM {runner.schema}.checkpoints")
            )
            for unit in runner.consumers.values():
                try:
                    info = await runner.js.consumer_info(unit.stream, unit.consumer)
                except NotFoundError:
                    behind[f"{runner.projection.name}:{unit.key}"] = -1
                    continue
                delivered = info.delivered.stream_seq or 0
                left = (info.num_pending or 0) + max(0, delivered - seqs.get(unit.key, 0))
                if left:
                    behind[f"{runner.projection.name}:{unit.key}"] = left
        if rt.settings.service == "notifications":
            behind |= await undelivered(rt.pool)
    return behind


async def undelivered(pool: asyncpg.Pool) -> dict[str, int]:
    """The notifications service's jobs beside its planner: deliveries due that the courier
    has not sent yet, reminders due that the clock has not fired yet."""
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM notifications.deliveries "
        "        WHERE status = 'pending' AND next_attempt_at <= now()) AS courier, "
        "       (SELECT count(*) FROM notifications.timers "
        "        WHERE status = 'pending' AND fire_at <= now()) AS clock"
    )
    return {f"notifications:{job}": n for job, n in row.items() if n}


async def delivered(pool: asyncpg.Pool, since: datetime) -> dict[str, float]:
    """What the planner and the courier did in a load that began at `since` (database time):
    deliveries planned and sent, the seconds until the last was planned and until the last was
    sent, the courier's rate from its first send to its last (bounded by the planner's when the
    courier keeps up) and how far it trailed the planner (sent_at - planned_at)."""
    row = await pool.fetchrow(
        "SELECT count(*) AS planned, count(*) FILTER (WHERE status = 'sent') AS sent, "
        "count(*) FILTER (WHERE status NOT IN ('sent', 'pending')) AS other, "
        "extract(epoch FROM max(planned_at) - $1) AS last_planned, "
        "extract(epoch FROM max(sent_at) - $1) AS last_sent, "
        "extract(epoch FROM max(sent_at) - min(sent_at)) AS sending, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - planned_at)) "
        "AS lag_p50, "
        "percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - planned_at)) "
        "AS lag_p99 "
        "FROM notifications.deliveries WHERE planned_at >= $1",
        since,
    )
    timers = await pool.fetchval(
        "SELECT count(*) FROM notifications.timers WHERE fired_at >= $1", since
    )
    sending = float(row["sending"] or 0)
    return {
        "deliveries planned": row["planned"],
        "deliveries sent": row["sent"],
        "deliveries neither sent nor pending": row["other"],
        "reminders fired": timers,
        "last delivery planned (s)": float(row["last_planned"] or 0),
        "last delivery sent (s)": float(row["last_sent"] or 0),
        "courier (deliveries/s)": row["sent"] / sending if sending else 0.0,
        "courier behind the planner p50 (s)": float(row["lag_p50"] or 0),
        "courier behind the planner p99 (s)": float(row["lag_p99"] or 0),
    }


async def wait_settled(apps: dict[str, FastAPI], timeout_s: float = 3600, report=None) -> float:
    """Seconds until nothing is behind twice in a row (a projection may append in turn)."""
    runtimes = [runtime(app) for app in apps.values()]
    started = time.perf_counter()
    quiet = 0
    while quiet < 2:
        behind = await unsettled(runtimes)
        quiet = quiet + 1 if not behind else 0
        if report is not None and behind:
            report(sum(v for v in behind.values() if v > 0), behind)
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError(f"still behind after {timeout_s} s: {behind}")
        await asyncio.sleep(1.0)
    return time.perf_counter() - started


async def load(database_url: str, nats_url: str, report=None, **overrides: Any) -> Loaded:
    started = time.perf_counter()
    conn = await asyncpg.connect(database_url)
    try:
        since = await conn.fetchval("SELECT now()")
    finally:
        await conn.close()
    async with running(database_url, nats_url, **overrides) as apps:
        await wait_settled(apps, report=report)
        figures = {}
        for name, app in apps.items():
            rt = runtime(app)
            if rt.store is not None:
                figures[name] = await rt.pool.fetchval(
                    f"SELECT count(*) FROM {rt.store.schema}.events"
                )
        notifications = await delivered(runtime(apps["notifications"]).pool, since)
    return Loaded(time.perf_counter() - started, figures, notifications)

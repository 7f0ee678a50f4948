"""Closes service sessions left open past the limit, at the limit, flagged `auto_closed`.

The read model names the candidates; the aggregate decides, so a session checked out in the
meantime is left alone, and two replicas sweeping at once cannot close a session twice
(the loser's append meets a version conflict and is dropped).
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from shegong_events import calendar
from shegong_runtime import logging
from shegong_runtime.commands import Answer, CommandContext, Order, send
from shegong_runtime.eventstore import ConcurrencyConflict
from shegong_runtime.pauses import pause
from shegong_runtime.service import Runtime

from shegong_engagement import config, views
from shegong_engagement.domain.volunteer import VOLUNTEER, CloseExpiredSession

log = logging.get("sweeper")
ACTOR = "system:session-sweeper"
DATABASE_TROUBLE = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def sweep_once(rt: Runtime) -> int:
    limit = config.settings().session_limit
    now = calendar.now()
    closed = 0
    store = rt.events
    for row in await views.open_sessions_before(rt, now - limit):
        ctx = CommandContext(actor=ACTOR, correlation_id=uuid.uuid4())
        try:
            station_id, volunteer_id = row["station_id"], row["volunteer_id"]
            order = Order(
                VOLUNTEER,
                volunteer_id,
                CloseExpiredSession(station_id, volunteer_id, now, limit),
                lambda events, _s: Answer(200, {"closed": len(events)}),
                station_id=station_id,
                occurred_at=row["checked_in_at"] + limit,
            )
            answer = await send(store, order, ctx)  # no scope: the system's own job
        except ConcurrencyConflict:
            continue
        closed += answer.body["closed"]
    if closed:
        log.info(
            "sessions.auto_closed", count=closed, limit_hours=config.settings().session_limit_hours
        )
    return closed


async def read_model_ready(rt: Runtime, stop: asyncio.Event, poll_s: float = 0.2) -> bool:
    """Waits until the live read model has its sessions table (a fresh start creates it a
    moment after the sweeper starts); False when stopped first."""
    while not stop.is_set():
        try:
            if await views.sessions_table_exists(rt):
                return True
        except DATABASE_TROUBLE as exc:  # the database not reachable yet: keep waiting
            log.debug("sweeper.waiting", error=type(exc).__name__)
        await pause(stop, poll_s)
    return False


async def sweep_sessions(rt: Runtime, stop: asyncio.Event) -> None:
    """The background job, on the same settings as the routes (`config.settings()`)."""
    if not await read_model_ready(rt, stop):
        return
    log.info("sweeper.ready")
    while not stop.is_set():
        try:
            await sweep_once(rt)
        except Exception as exc:  # noqa: BLE001  a database hiccup: try again next round
            log.warning("sweeper.error", error=repr(exc)[:300])
        await pause(stop, config.settings().sweep_interval_s)

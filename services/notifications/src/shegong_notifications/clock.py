"""The reminder clock: due timers fired once, by whichever replica takes them first.

Timers are rows in PostgreSQL (`fire_at`, status), so they survive restarts; `FOR UPDATE SKIP
LOCKED` hands each due timer to one replica, and firing plans and marks it in one transaction.
"""

from __future__ import annotations

import asyncio

import asyncpg
from shegong_runtime import logging
from shegong_runtime.service import Runtime

from shegong_notifications import reminders
from shegong_notifications.courier import pause, settings_of
from shegong_notifications.schema import S

log = logging.get("notifications.clock")


async def fire_due(pool: asyncpg.Pool, limit: int = 50) -> int:
    """Fire the reminders that are due and no other replica holds; returns how many fired."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"SELECT * FROM {S}.timers WHERE status = 'pending' AND fire_at <= now() "
            "ORDER BY fire_at LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        now = await conn.fetchval("SELECT now()")
        for row in rows:
            await reminders.fire(conn, row, now)
    for row in rows:
        log.info("reminder.fired", reminder_id=str(row["reminder_id"]), rule_id=row["rule_id"],
                 station_id=row["station_id"])
    return len(rows)


async def fire_reminders(rt: Runtime, stop: asyncio.Event) -> None:
    """Background job: the reminder clock. Timers live in PostgreSQL, so they survive restarts."""
    settings = settings_of(rt)
    while not stop.is_set():
        try:
            fired = await fire_due(rt.pool)
        except Exception as exc:  # noqa: BLE001  the database went away: the clock keeps going
            log.warning("reminder.error", error=repr(exc)[:300])
            fired = 0
        if not fired:
            await pause(stop, settings.timer_poll_s)

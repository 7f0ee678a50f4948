"""Reminders: timers keyed (rule, source event) in PostgreSQL, cancelled or superseded per
subject key, fired once into planned deliveries by the reminder clock.

The clock is a background job in every replica: `FOR UPDATE SKIP LOCKED` hands each due timer
to one replica, and firing plans and marks it in one transaction; timers survive restarts.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime

import asyncpg
from shegong_events import Envelope
from shegong_runtime import logging
from shegong_runtime.crypto import PREFIX, is_sealed
from shegong_runtime.pauses import pause
from shegong_runtime.service import Runtime

from shegong_notifications import config, journal, rulebook
from shegong_notifications.deliveries import NAMESPACE, plan
from shegong_notifications.domain import timing
from shegong_notifications.domain.matching import Rule
from shegong_notifications.domain.reminder import REMINDER, ScheduleReminder
from shegong_notifications.stations import station
from shegong_notifications.tables import S

log = logging.get("notifications.clock")


def reminder_id(rule_id: str, source_event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"reminder/{rule_id}/{source_event_id}")


def without_sealed(event: Envelope) -> str:
    """The source event as a timer keeps it: sealed values blanked, since this service cannot
    open them and a copy outside the stream must not outlive the person's erasure."""

    def blank(value):
        if isinstance(value, dict):
            return {k: blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return PREFIX if is_sealed(value) else value

    return json.dumps(blank(json.loads(event.model_dump_json())), ensure_ascii=False)


async def schedule(
    conn: asyncpg.Connection, rule: Rule, event: Envelope, district_id: str | None
) -> None:
    """Set the rule's timer for this event. Per subject key: a cancellation recorded later
    wins; `supersede` keeps only the newest trigger pending; `once` keeps the first."""
    reminder = rule.reminder
    assert reminder is not None
    fire = timing.fire_at(reminder, event)
    if fire is None:
        return
    key = timing.subject_key(reminder, event, district_id)
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))", f"notifications.timer.{rule.rule_id}.{key}"
    )
    cancelled = await conn.fetchval(
        f"SELECT 1 FROM {S}.cancellations WHERE rule_id = $1 AND subject_key = $2 AND recorded_at >= $3",
        rule.rule_id,
        key,
        event.recorded_at,
    )
    if reminder.repeat == "once":
        covered = await conn.fetchval(
            f"SELECT 1 FROM {S}.timers WHERE rule_id = $1 AND subject_key = $2 AND status IN ('pending', 'fired')",
            rule.rule_id,
            key,
        )
    else:
        covered = await conn.fetchval(
            f"SELECT 1 FROM {S}.timers WHERE rule_id = $1 AND subject_key = $2 AND source_recorded_at > $3",
            rule.rule_id,
            key,
            event.recorded_at,
        )
    status = "cancelled" if cancelled else "superseded" if covered else "pending"
    rid = reminder_id(rule.rule_id, event.event_id)
    inserted = await conn.fetchval(
        f"INSERT INTO {S}.timers (reminder_id, rule_id, source_event_id, subject_key, station_id, "
        "source_recorded_at, source, fire_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        rid,
        rule.rule_id,
        event.event_id,
        key,
        event.station_id,
        event.recorded_at,
        without_sealed(event),
        fire,
        status,
    )
    if not inserted or status != "pending":
        return
    if reminder.repeat == "supersede":
        await conn.execute(
            f"UPDATE {S}.timers SET status = 'superseded' WHERE rule_id = $1 AND subject_key = $2 "
            "AND status = 'pending' AND source_recorded_at < $3",
            rule.rule_id,
            key,
            event.recorded_at,
        )
    await journal.record(
        conn,
        REMINDER,
        str(rid),
        ScheduleReminder(
            reminder_id=str(rid),
            rule_id=rule.rule_id,
            subject_key=key,
            source_event_id=str(event.event_id),
            source_event_type=event.event_type,
            fire_at=fire,
        ),
        station_id=event.station_id,
        correlation_id=event.correlation_id,
        causation_id=event.event_id,
    )


async def cancel(
    conn: asyncpg.Connection, rule: Rule, event: Envelope, district_id: str | None
) -> None:
    """The subject's pending reminder under this rule is no longer needed (done, resolved)."""
    assert rule.reminder is not None
    key = timing.subject_key(rule.reminder, event, district_id)
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))", f"notifications.timer.{rule.rule_id}.{key}"
    )
    await conn.execute(
        f"INSERT INTO {S}.cancellations VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        rule.rule_id,
        key,
        event.event_id,
        event.recorded_at,
    )
    await conn.execute(
        f"UPDATE {S}.timers SET status = 'cancelled' WHERE rule_id = $1 AND subject_key = $2 "
        "AND status = 'pending' AND source_recorded_at <= $3",
        rule.rule_id,
        key,
        event.recorded_at,
    )


async def fire(conn: asyncpg.Connection, timer: asyncpg.Record, now: datetime) -> int:
    """A due reminder plans its deliveries to the audience of now, then is marked fired; under a
    rule disabled meanwhile it is cancelled instead."""
    row = await rulebook.get(conn, timer["rule_id"])
    rule = rulebook.from_row(row) if row is not None else None
    planned = 0
    if rule is not None and rule.reminder is not None and rulebook.active_now(rule, now):
        event = Envelope.model_validate(json.loads(timer["source"]))
        planned = await plan(
            conn,
            rule,
            event,
            await station(conn, event.station_id),
            at=now,
            subject_key=timer["subject_key"],
            due_at=timing.due_at(rule.reminder, event),
        )
        status = "fired"
    else:
        status = "cancelled"
    await conn.execute(
        f"UPDATE {S}.timers SET status = $2, fired_at = $3 WHERE reminder_id = $1",
        timer["reminder_id"],
        status,
        now,
    )
    return planned


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
            await fire(conn, row, now)
    for row in rows:
        log.info(
            "reminder.fired",
            reminder_id=str(row["reminder_id"]),
            rule_id=row["rule_id"],
            station_id=row["station_id"],
        )
    return len(rows)


async def clock(rt: Runtime, stop: asyncio.Event) -> None:
    """Background job: the reminder clock. Timers live in PostgreSQL, so they survive restarts."""
    settings = config.settings()
    while not stop.is_set():
        try:
            fired = await fire_due(rt.pool)
        except Exception as exc:  # noqa: BLE001  the database went away: the clock keeps going
            log.warning("reminder.error", error=repr(exc)[:300])
            fired = 0
        if not fired:
            await pause(stop, settings.timer_poll_s)

"""Reminders: timers keyed (rule, source event) in PostgreSQL, cancelled or superseded per
subject key, fired once by the clock into planned deliveries."""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg
from shegong_events import Envelope
from shegong_events.notifications import ReminderScheduled
from shegong_runtime.crypto import PREFIX, is_sealed

from shegong_notifications import journal, rulebook
from shegong_notifications.domain import timing
from shegong_notifications.domain.matching import Rule
from shegong_notifications.planning import plan, reminder_id, station
from shegong_notifications.schema import S


def without_sealed(event: Envelope) -> str:
    """The source event as a timer keeps it: sealed values blanked, since this service cannot
    open them and a copy outside the stream must not outlive the person's erasure."""
    def blank(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            return {k: blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return PREFIX if is_sealed(value) else value

    return json.dumps(blank(json.loads(event.model_dump_json())), ensure_ascii=False)


async def schedule(conn: asyncpg.Connection, rule: Rule, event: Envelope, district_id: str | None) -> None:
    """Set the rule's timer for this event. Per subject key: a cancellation recorded later
    wins; `supersede` keeps only the newest trigger pending; `once` keeps the first."""
    reminder = rule.reminder
    assert reminder is not None
    fire = timing.fire_at(reminder, event)
    if fire is None:
        return
    key = timing.subject_key(reminder, event, district_id)
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"notifications.timer.{rule.rule_id}.{key}")
    cancelled = await conn.fetchval(
        f"SELECT 1 FROM {S}.cancellations WHERE rule_id = $1 AND subject_key = $2 AND recorded_at >= $3",
        rule.rule_id, key, event.recorded_at,
    )
    if reminder.repeat == "once":
        covered = await conn.fetchval(
            f"SELECT 1 FROM {S}.timers WHERE rule_id = $1 AND subject_key = $2 AND status IN ('pending', 'fired')",
            rule.rule_id, key,
        )
    else:
        covered = await conn.fetchval(
            f"SELECT 1 FROM {S}.timers WHERE rule_id = $1 AND subject_key = $2 AND source_recorded_at > $3",
            rule.rule_id, key, event.recorded_at,
        )
    status = "cancelled" if cancelled else "superseded" if covered else "pending"
    rid = reminder_id(rule.rule_id, event.event_id)
    inserted = await conn.fetchval(
        f"INSERT INTO {S}.timers (reminder_id, rule_id, source_event_id, subject_key, station_id, "
        "source_recorded_at, source, fire_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        rid, rule.rule_id, event.event_id, key, event.station_id, event.recorded_at,
        without_sealed(event), fire, status,
    )
    if not inserted or status != "pending":
        return
    if reminder.repeat == "supersede":
        await conn.execute(
            f"UPDATE {S}.timers SET status = 'superseded' WHERE rule_id = $1 AND subject_key = $2 "
            "AND status = 'pending' AND source_recorded_at < $3",
            rule.rule_id, key, event.recorded_at,
        )
    await journal.append(
        conn,
        ReminderScheduled(
            reminder_id=str(rid),
            rule_id=rule.rule_id,
            subject_key=key,
            source_event_id=str(event.event_id),
            source_event_type=event.event_type,
            fire_at=fire,
        ),
        aggregate_id=str(rid),
        station_id=event.station_id,
        correlation_id=event.correlation_id,
        causation_id=event.event_id,
    )


async def cancel(conn: asyncpg.Connection, rule: Rule, event: Envelope, district_id: str | None) -> None:
    """The subject's pending reminder under this rule is no longer needed (done, resolved)."""
    assert rule.reminder is not None
    key = timing.subject_key(rule.reminder, event, district_id)
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"notifications.timer.{rule.rule_id}.{key}")
    await conn.execute(
        f"INSERT INTO {S}.cancellations VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        rule.rule_id, key, event.event_id, event.recorded_at,
    )
    await conn.execute(
        f"UPDATE {S}.timers SET status = 'cancelled' WHERE rule_id = $1 AND subject_key = $2 "
        "AND status = 'pending' AND source_recorded_at <= $3",
        rule.rule_id, key, event.recorded_at,
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
            conn, rule, event, await station(conn, event.station_id), at=now,
            subject_key=timer["subject_key"], due_at=timing.due_at(rule.reminder, event),
        )
        status = "fired"
    else:
        status = "cancelled"
    await conn.execute(
        f"UPDATE {S}.timers SET status = $2, fired_at = $3 WHERE reminder_id = $1",
        timer["reminder_id"], status, now,
    )
    return planned

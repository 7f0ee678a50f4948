"""The rules table: written with RuleDefined / RuleDisabled in their command's transaction,
read by the planner and the reminder clock."""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import Audience, Condition, Reminder, RuleDefined, RuleDisabled
from shegong_runtime.read_models import Handler

from shegong_notifications.domain.matching import Rule
from shegong_notifications.tables import S


async def defined(conn: asyncpg.Connection, _s: str, env: Envelope, fact: RuleDefined) -> None:
    await conn.execute(
        f"INSERT INTO {S}.rules (rule_id, scope, scope_id, station_id, trigger, definition, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (rule_id) DO NOTHING",
        fact.rule_id,
        fact.scope,
        fact.scope_id,
        env.station_id,
        fact.trigger,
        json.dumps(env.data, ensure_ascii=False),
        env.recorded_at,
    )


async def disabled(conn: asyncpg.Connection, _s: str, env: Envelope, fact: RuleDisabled) -> None:
    await conn.execute(
        f"UPDATE {S}.rules SET disabled_at = $2 WHERE rule_id = $1 AND disabled_at IS NULL",
        env.aggregate_id,
        env.recorded_at,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {RuleDefined: defined, RuleDisabled: disabled}


def from_row(row: asyncpg.Record) -> Rule:
    d = json.loads(row["definition"])
    return Rule(
        rule_id=row["rule_id"],
        scope=row["scope"],
        scope_id=row["scope_id"],
        trigger=row["trigger"],
        conditions=[Condition.model_validate(c) for c in d.get("conditions", [])],
        audience=Audience.model_validate(d["audience"]),
        channel=d["channel"],
        template_id=d["template_id"],
        reminder=Reminder.model_validate(d["reminder"]) if d.get("reminder") else None,
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
    )


async def triggered_by(
    conn: asyncpg.Connection, event_type: str, station_id: str, district_id: str | None
) -> list[Rule]:
    rows = await conn.fetch(
        f"SELECT * FROM {S}.rules WHERE trigger = $1 "
        "AND ((scope = 'station' AND scope_id = $2) OR (scope = 'district' AND scope_id = $3))",
        event_type,
        station_id,
        district_id,
    )
    return [from_row(r) for r in rows]


async def cancelled_by(
    conn: asyncpg.Connection, event_type: str, station_id: str, district_id: str | None
) -> list[Rule]:
    rows = await conn.fetch(
        f"SELECT * FROM {S}.rules WHERE definition->'reminder'->'cancel_on' ? $1 "
        "AND ((scope = 'station' AND scope_id = $2) OR (scope = 'district' AND scope_id = $3))",
        event_type,
        station_id,
        district_id,
    )
    return [from_row(r) for r in rows]


async def named_types(conn: asyncpg.Connection) -> set[str]:
    """Every event type some rule, active or not, triggers on or is cancelled by."""
    rows = await conn.fetch(
        f"SELECT trigger AS t FROM {S}.rules UNION SELECT jsonb_array_elements_text("
        f"definition->'reminder'->'cancel_on') FROM {S}.rules "
        "WHERE jsonb_typeof(definition->'reminder'->'cancel_on') = 'array'"
    )
    return {r["t"] for r in rows}


async def get(db: asyncpg.Connection | asyncpg.Pool, rule_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(f"SELECT * FROM {S}.rules WHERE rule_id = $1", rule_id)


def active_now(rule: Rule, now: datetime) -> bool:
    return rule.disabled_at is None or now < rule.disabled_at

"""Planned deliveries: one per addressee of a rule, keyed (rule, source event, recipient) and
inserted ON CONFLICT DO NOTHING, so planning the same event twice is a no-op."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from shegong_events import Envelope

from shegong_notifications import directory
from shegong_notifications.domain import matching, templates
from shegong_notifications.domain.matching import Rule
from shegong_notifications.tables import S

GROUPS = ("wecom", "dingtalk")  # channels that reach a group, not a person
NAMESPACE = uuid.UUID("6b1f3c1e-9a52-4d6e-8d1c-2f0e7c5a4b10")


def delivery_id(rule_id: str, source_event_id: uuid.UUID, recipient_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"delivery/{rule_id}/{source_event_id}/{recipient_id}")


async def plan(
    conn: asyncpg.Connection,
    rule: Rule,
    event: Envelope,
    where: asyncpg.Record | None,
    at: datetime,
    subject_key: str | None = None,
    due_at: datetime | None = None,
) -> int:
    """Insert one delivery per addressee; the unique key makes a second plan a no-op."""
    district_id = where["district_id"] if where else None
    if rule.channel in GROUPS:  # a group robot posts once to the station's group, for everyone
        people = [directory.Addressee(f"{rule.channel}-group", rule.channel)]
    else:
        people = await directory.audience(
            conn, rule, event.station_id, district_id, at, matching.target(rule, event)
        )
    if not people:
        return 0
    values = templates.context(
        event,
        where["name"] if where else None,
        where["district_name"] if where else None,
        subject_key,
        due_at,
    )
    title, body = templates.render(rule.template_id, values)
    inserted = await conn.fetch(
        f"""
        INSERT INTO {S}.deliveries (delivery_id, rule_id, source_event_id, recipient_id, source_event_type,
            station_id, template_id, channel, title, body, correlation_id)
        SELECT d, $2, $3, r, $4, $5, $6, c, $7, $8, $9
        FROM unnest($1::uuid[], $10::text[], $11::text[]) AS t(d, r, c)
        ON CONFLICT DO NOTHING RETURNING delivery_id
        """,
        [delivery_id(rule.rule_id, event.event_id, p.recipient_id) for p in people],
        rule.rule_id,
        event.event_id,
        event.event_type,
        event.station_id,
        rule.template_id,
        title,
        body,
        event.correlation_id,
        [p.recipient_id for p in people],
        [p.channel for p in people],
    )
    return len(inserted)

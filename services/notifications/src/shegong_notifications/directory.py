"""The recipients directory and subscriptions, as tables written in their commands'
transactions (a handler per event type); and the audience of a rule: who, in the event's
station or district, is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import (
    RecipientErased,
    RecipientRegistered,
    RecipientRemoved,
    RecipientUpdated,
    SubscriptionSet,
)
from shegong_runtime.read_models import Handler

from shegong_notifications.domain.matching import Rule
from shegong_notifications.tables import S


async def registered(
    conn: asyncpg.Connection, _s: str, env: Envelope, f: RecipientRegistered
) -> None:
    await conn.execute(
        f"INSERT INTO {S}.recipients (recipient_id, role, station_id, district_id, refs, name_sealed, "
        "email_sealed, webhook_url, webhook_secret_sealed, registered_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (recipient_id) DO NOTHING",
        env.aggregate_id,
        f.role,
        f.station_id,
        f.district_id,
        f.refs,
        f.name_sealed,
        f.email_sealed,
        f.webhook_url,
        f.webhook_secret_sealed,
        env.recorded_at,
    )


async def updated(conn: asyncpg.Connection, _s: str, env: Envelope, u: RecipientUpdated) -> None:
    await conn.execute(
        f"UPDATE {S}.recipients SET name_sealed = coalesce($2, name_sealed), "
        "email_sealed = coalesce($3, email_sealed), webhook_url = coalesce($4, webhook_url), "
        "webhook_secret_sealed = coalesce($5, webhook_secret_sealed), refs = coalesce($6, refs) "
        "WHERE recipient_id = $1",
        env.aggregate_id,
        u.name_sealed,
        u.email_sealed,
        u.webhook_url,
        u.webhook_secret_sealed,
        u.refs,
    )


async def removed(conn: asyncpg.Connection, _s: str, env: Envelope, _: RecipientRemoved) -> None:
    await conn.execute(
        f"UPDATE {S}.recipients SET removed_at = $2 WHERE recipient_id = $1 AND removed_at IS NULL",
        env.aggregate_id,
        env.recorded_at,
    )


async def erased(conn: asyncpg.Connection, _s: str, env: Envelope, _: RecipientErased) -> None:
    """The key is gone; the sealed copies and anything still to be sent go too."""
    await conn.execute(
        f"UPDATE {S}.recipients SET name_sealed = NULL, email_sealed = NULL, "
        "webhook_secret_sealed = NULL, webhook_url = NULL, "
        "removed_at = coalesce(removed_at, $2) WHERE recipient_id = $1",
        env.aggregate_id,
        env.recorded_at,
    )
    await conn.execute(
        f"UPDATE {S}.deliveries SET status = 'cancelled', last_error = 'recipient erased' "
        "WHERE recipient_id = $1 AND status = 'pending'",
        env.aggregate_id,
    )


async def subscription_set(
    conn: asyncpg.Connection, _s: str, env: Envelope, s: SubscriptionSet
) -> None:
    await conn.execute(
        f"INSERT INTO {S}.subscriptions (recipient_id, topic, channel) VALUES ($1, $2, $3) "
        "ON CONFLICT (recipient_id, topic) DO UPDATE SET channel = EXCLUDED.channel",
        env.aggregate_id,
        s.topic,
        s.channel,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    RecipientRegistered: registered,
    RecipientUpdated: updated,
    RecipientRemoved: removed,
    RecipientErased: erased,
    SubscriptionSet: subscription_set,
}


@dataclass(frozen=True)
class Addressee:
    recipient_id: str
    channel: str  # inbox | email | webhook


async def audience(
    conn: asyncpg.Connection,
    rule: Rule,
    station_id: str,
    district_id: str | None,
    at: datetime,
    target: list[str] | None,
) -> list[Addressee]:
    """Recipients of the rule's role in scope (and named by the event, when the rule matches a
    field) who were in the directory at `at`, each with the
    channel they chose for this topic (the rule's otherwise); muted ones are left out, and a
    channel without an address falls back to the inbox."""
    if target == []:
        return []
    rows = await conn.fetch(
        f"""
        SELECT r.recipient_id, r.email_sealed IS NOT NULL AS has_email,
               r.webhook_url IS NOT NULL AS has_webhook, s.channel AS chosen
        FROM {S}.recipients r
        LEFT JOIN {S}.subscriptions s ON s.recipient_id = r.recipient_id AND s.topic = $1
        WHERE ($2::text IS NULL OR r.role = $2) AND r.registered_at <= $3 AND (r.removed_at IS NULL OR r.removed_at > $3)
          AND (r.station_id = $4 OR (r.station_id IS NULL AND r.district_id = $5))
          AND ($6::text[] IS NULL OR r.recipient_id = ANY($6::text[]) OR r.refs && $6::text[])
        ORDER BY r.recipient_id
        """,
        rule.template_id,
        rule.audience.role,
        at,
        station_id,
        district_id,
        target,
    )
    out = []
    for r in rows:
        channel = r["chosen"] or rule.channel
        if channel == "none":
            continue
        if (
            (channel == "email" and not r["has_email"])
            or (channel == "webhook" and not r["has_webhook"])
            or channel in ("wecom", "dingtalk")  # a group's channel, not a person's
        ):
            channel = "inbox"
        out.append(Addressee(r["recipient_id"], channel))
    return out

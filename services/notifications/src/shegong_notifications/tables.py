"""The service's own tables, in its schema `notifications`, outside any projection generation:
a rebuild of the planner replays history into them, and their unique keys turn every
replayed plan into a no-op.

Created under the same advisory lock as the event store's migration, so replicas and the
planner's first batch never race on them.
"""

from __future__ import annotations

import asyncpg
from shegong_runtime import migrations

S = "notifications"
LOCK = f"SELECT pg_advisory_xact_lock(hashtext('shegong.migrate.{S}'));"

TABLES = f"""
CREATE SCHEMA IF NOT EXISTS {S};
CREATE TABLE IF NOT EXISTS {S}.rules (
    rule_id      text PRIMARY KEY,
    scope        text NOT NULL,
    scope_id     text NOT NULL,
    station_id   text NOT NULL,
    trigger      text NOT NULL,
    definition   jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    disabled_at  timestamptz
);
CREATE INDEX IF NOT EXISTS rules_by_trigger ON {S}.rules (trigger);
CREATE TABLE IF NOT EXISTS {S}.recipients (
    recipient_id  text PRIMARY KEY,
    role          text NOT NULL,
    station_id    text,
    district_id   text NOT NULL,
    refs          text[] NOT NULL DEFAULT ARRAY[]::text[],
    name_sealed   text,
    email_sealed  text,
    webhook_url   text,
    webhook_secret_sealed text,
    registered_at timestamptz NOT NULL,
    removed_at    timestamptz
);
CREATE INDEX IF NOT EXISTS recipients_by_role ON {S}.recipients (role, station_id, district_id);
CREATE TABLE IF NOT EXISTS {S}.subscriptions (
    recipient_id text NOT NULL,
    topic        text NOT NULL,
    channel      text NOT NULL,
    PRIMARY KEY (recipient_id, topic)
);
-- read by the previous release only (this one reads the kit's directory, `stations.py`):
-- written for it during an upgrade, dropped by the release after this one
CREATE TABLE IF NOT EXISTS {S}.stations (
    station_id    text PRIMARY KEY,
    name          text NOT NULL,
    district_id   text NOT NULL,
    district_name text NOT NULL
);
CREATE TABLE IF NOT EXISTS {S}.deliveries (
    delivery_id       uuid PRIMARY KEY,
    rule_id           text NOT NULL,
    source_event_id   uuid NOT NULL,
    recipient_id      text NOT NULL,
    source_event_type text NOT NULL,
    station_id        text NOT NULL,
    template_id       text NOT NULL,
    channel           text NOT NULL,
    title             text NOT NULL,
    body              text NOT NULL,
    correlation_id    uuid,
    status            text NOT NULL DEFAULT 'pending',
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    last_error        text,
    planned_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz,
    UNIQUE (rule_id, source_event_id, recipient_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON {S}.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_by_station ON {S}.deliveries (station_id, planned_at);
CREATE INDEX IF NOT EXISTS deliveries_listed ON {S}.deliveries (planned_at, delivery_id);
CREATE INDEX IF NOT EXISTS deliveries_listed_at_station ON {S}.deliveries (station_id, planned_at, delivery_id);
CREATE TABLE IF NOT EXISTS {S}.inbox (
    delivery_id  uuid PRIMARY KEY,
    recipient_id text NOT NULL,
    station_id   text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz
);
CREATE INDEX IF NOT EXISTS inbox_by_recipient ON {S}.inbox (recipient_id, created_at DESC);
CREATE INDEX IF NOT EXISTS inbox_listed ON {S}.inbox (recipient_id, created_at, delivery_id);
CREATE TABLE IF NOT EXISTS {S}.timers (
    reminder_id        uuid PRIMARY KEY,
    rule_id            text NOT NULL,
    source_event_id    uuid NOT NULL,
    subject_key        text NOT NULL,
    station_id         text NOT NULL,
    source_recorded_at timestamptz NOT NULL,
    source             jsonb NOT NULL,
    fire_at            timestamptz NOT NULL,
    status             text NOT NULL,
    fired_at           timestamptz,
    UNIQUE (rule_id, source_event_id)
);
CREATE INDEX IF NOT EXISTS timers_due ON {S}.timers (fire_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS timers_by_subject ON {S}.timers (rule_id, subject_key);
CREATE INDEX IF NOT EXISTS timers_listed ON {S}.timers (fire_at, reminder_id);
CREATE INDEX IF NOT EXISTS timers_listed_at_station ON {S}.timers (station_id, fire_at, reminder_id);
CREATE TABLE IF NOT EXISTS {S}.cancellations (
    rule_id      text NOT NULL,
    subject_key  text NOT NULL,
    event_id     uuid NOT NULL,
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (rule_id, subject_key, event_id)
);
"""


async def ensure(pool: asyncpg.Pool) -> None:
    await migrations.apply(pool, S, TABLES)

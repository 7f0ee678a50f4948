"""The year's notifications go the way production's go: the directory and the rules decided by
the notifications service's deciders when the year is generated; deliveries planned from the
year's events by its planner, under the rules active when each event was recorded, and sent by
its courier to the in-app inbox when the year is loaded; and no recipient's name or email in
clear in its event store or its tables."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from cityyear.load import running, wait_settled
from cityyear.notifications import ACTOR, NotificationsYear
from cityyear.plan import Sizes, Year, stations
from cityyear.sink import HistoryKeys, Sink
from shegong_events import Envelope
from shegong_notifications.domain.recipient import data_subject
from shegong_runtime.crypto import KeyStore, is_sealed
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings

from .year import SCALE, SEED, STATIONS, TEST_SETTINGS


@pytest.fixture(scope="module")
async def loaded(database_url, nats_url, volume_year) -> AsyncIterator[asyncpg.Pool]:
    """The suite's year, loaded through every service until the courier has sent what the
    planner planned."""
    async with running(database_url, nats_url, **TEST_SETTINGS) as apps:
        await wait_settled(apps, timeout_s=600)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    yield pool
    await pool.close()


async def generated(pool: asyncpg.Pool) -> list[Envelope]:
    rows = await pool.fetch("SELECT envelope FROM notifications.events ORDER BY stream_id, version")
    return [
        e for e in (Envelope.model_validate_json(r["envelope"]) for r in rows) if e.actor == ACTOR
    ]


def fact(e: Envelope) -> tuple[Any, ...]:
    """What the deciders decided, with sealed values (fresh ciphertext each run) as `sealed`."""
    data = {k: "sealed" if is_sealed(v) else v for k, v in e.data.items()}
    return e.stream_id, e.aggregate_version, e.event_type, e.station_id, e.occurred_at, data


async def test_the_stored_directory_and_rules_are_what_the_deciders_decide(loaded):
    stored = await generated(loaded)
    first = min(e.occurred_at for e in stored)
    year = Year(first.date() + timedelta(days=364))  # the year starts at 09:00 station time
    keys = HistoryKeys(loaded, "notifications", Settings(service="notifications").master_key)
    sink = Sink(EventStore(loaded, "notifications"), keys, batch=10**9)  # held, never written
    again = NotificationsYear(sink, keys, year, SEED)
    for station in stations(STATIONS):  # raises the decider's refusal, as a route would answer
        await again.station(station, Sizes().scaled(SCALE))
    assert sorted(map(fact, sink.events)) == sorted(map(fact, stored))
    kinds = {e.event_type for e in stored}
    assert {"RuleDefined", "RuleDisabled", "RecipientRegistered", "RecipientUpdated"} <= kinds
    assert {"RecipientRemoved", "RecipientErased", "SubscriptionSet"} <= kinds
    rules = await loaded.fetch("SELECT rule_id, disabled_at FROM notifications.rules")
    disabled = {e.aggregate_id for e in stored if e.event_type == "RuleDisabled"}
    assert len(rules) == sum(e.event_type == "RuleDefined" for e in stored)
    assert {r["rule_id"] for r in rules if r["disabled_at"]} == disabled  # kept in step


async def test_each_lead_is_told_of_every_urgent_need_recorded_under_the_station_s_rule(loaded):
    missing = await loaded.fetch(
        """
        SELECT e.event_id, e.station_id FROM visits.events e
        LEFT JOIN notifications.deliveries d ON d.source_event_id = e.event_id
             AND d.rule_id = e.station_id || '-urgent-need' AND d.recipient_id = 'lead-' || e.station_id
        LEFT JOIN notifications.inbox i ON i.delivery_id = d.delivery_id
        WHERE e.event_type = 'NeedIdentified'
          AND e.envelope::jsonb -> 'data' ->> 'severity' = 'urgent'
          AND (d.status IS DISTINCT FROM 'sent' OR d.channel <> 'inbox' OR i.recipient_id IS NULL)
        """
    )
    assert not missing, missing[:5]
    told = await loaded.fetchval(
        "SELECT count(*) FROM notifications.deliveries WHERE rule_id LIKE '%-urgent-need'"
    )
    assert told > STATIONS


async def test_a_referral_plans_under_the_rules_active_when_it_was_recorded(loaded):
    rules = await loaded.fetch(
        "SELECT rule_id, scope_id, definition, created_at, disabled_at FROM notifications.rules "
        "WHERE trigger = 'NeedReferred'"
    )
    assert any(r["disabled_at"] for r in rules), "no station changed its referral rule"
    expected = set()
    for row in await loaded.fetch(
        "SELECT event_id, station_id, envelope FROM visits.events WHERE event_type = 'NeedReferred'"
    ):
        event = Envelope.model_validate_json(row["envelope"])
        for rule in rules:
            if rule["scope_id"] == event.station_id and active(rule, event.recorded_at):
                severities = [
                    c["value"] for c in json.loads(rule["definition"])["conditions"]
                ]  # the narrowed rule's one condition: severity in [...]
                if not severities or event.data["severity"] in severities[0]:
                    expected.add((rule["rule_id"], event.event_id))
    planned = {
        (r["rule_id"], r["source_event_id"])
        for r in await loaded.fetch(
            "SELECT rule_id, source_event_id FROM notifications.deliveries "
            "WHERE source_event_type = 'NeedReferred'"
        )
    }
    assert expected and planned == expected


def active(rule: asyncpg.Record, at: datetime) -> bool:
    return rule["created_at"] <= at and (rule["disabled_at"] is None or at < rule["disabled_at"])


async def test_nobody_is_told_of_what_was_recorded_after_they_left(loaded):
    left = await loaded.fetch(
        "SELECT recipient_id, removed_at FROM notifications.recipients WHERE removed_at IS NOT NULL"
    )
    assert left
    for domain in ("registry", "visits", "engagement"):
        late = await loaded.fetchval(
            f"""
            SELECT count(*) FROM notifications.deliveries d
            JOIN notifications.recipients r USING (recipient_id)
            JOIN {domain}.events e ON e.event_id = d.source_event_id
            WHERE r.removed_at IS NOT NULL
              AND (e.envelope::jsonb ->> 'recorded_at')::timestamptz >= r.removed_at
            """
        )
        assert late == 0, domain


async def test_the_courier_sent_every_planned_delivery_to_the_inbox_and_journalled_it(loaded):
    row = await loaded.fetchrow(
        """
        SELECT (SELECT count(*) FROM notifications.deliveries) AS planned,
               (SELECT count(*) FROM notifications.deliveries
                WHERE status = 'sent' AND channel = 'inbox') AS sent,
               (SELECT count(*) FROM notifications.inbox) AS inbox,
               (SELECT count(*) FROM notifications.events
                WHERE event_type = 'NotificationSent') AS journalled,
               (SELECT count(*) FROM notifications.timers WHERE status = 'fired') AS fired,
               (SELECT count(*) FROM notifications.deliveries
                WHERE rule_id LIKE 'weekly-roundup-%') AS roundups
        """
    )
    assert row["planned"] > 0 and row["fired"] > 0, dict(row)
    assert row["planned"] == row["sent"] == row["inbox"] == row["journalled"], dict(row)
    assert row["roundups"] == row["fired"], dict(row)  # one officer per district


async def test_no_recipient_s_name_or_email_is_in_clear_in_the_service_s_store(loaded):
    keys = KeyStore(loaded, "notifications", Settings(service="notifications").master_key)
    stored = await generated(loaded)
    erased = {e.aggregate_id for e in stored if e.event_type == "RecipientErased"}
    assert erased
    plain: set[str] = set()
    for e in stored:
        for name, value in e.data.items():
            if name.endswith("_sealed") and value is not None:
                assert is_sealed(value), (e.event_type, name)
                opened = await keys.open(data_subject(e.aggregate_id), value)
                assert (opened is None) == (e.aggregate_id in erased), e.aggregate_id
                if opened is not None:
                    plain.add(opened)
    assert any("@" in p for p in plain) and any("@" not in p for p in plain)  # emails, names
    everything = [
        r["t"] for r in await loaded.fetch("SELECT envelope AS t FROM notifications.events")
    ]
    for table in ("recipients", "rules", "subscriptions", "deliveries", "inbox", "timers"):
        everything += [
            r["t"]
            for r in await loaded.fetch(
                f"SELECT to_jsonb(t)::text AS t FROM notifications.{table} t"
            )
        ]
    text = "\n".join(everything)
    assert not [p for p in plain if p in text]
    gone = await loaded.fetch(
        "SELECT recipient_id FROM notifications.recipients "
        "WHERE name_sealed IS NULL AND email_sealed IS NULL"
    )
    assert {r["recipient_id"] for r in gone} >= erased
    kept = await loaded.fetchval(
        "SELECT count(*) FROM notifications.subject_keys WHERE subject_id = ANY($1::text[])",
        [data_subject(r) for r in erased],
    )
    assert kept == 0

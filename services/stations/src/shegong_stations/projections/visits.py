"""Visits facts on the board: households and their risk tier, visits, needs, follow-ups.

Only ids, categories, dates and counts are kept; sealed personal data stays in the events.
"""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.calendar import local_date
from shegong_events.visits import (
    FollowUpScheduled,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    RiskTierAssigned,
    VisitRecorded,
    VisitScheduled,
)
from shegong_runtime.read_models import Handler

DDL = """
CREATE TABLE IF NOT EXISTS {s}.households (
    household_id   text PRIMARY KEY,
    station_id     text NOT NULL,
    categories     text[] NOT NULL DEFAULT '{{}}',
    community      text,
    member_count   integer,
    risk_tier      text,
    next_due_at    timestamptz,
    registered_on  date,
    erased         boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS households_station ON {s}.households (station_id);
CREATE TABLE IF NOT EXISTS {s}.visits (
    household_id      text NOT NULL,
    visit_id          text NOT NULL,
    station_id        text NOT NULL,
    status            text NOT NULL,       -- scheduled | made
    scheduled_for     date,
    visited_on        date,
    mode              text,
    services          text[] NOT NULL DEFAULT '{{}}',
    policies          text[] NOT NULL DEFAULT '{{}}',
    with_observations boolean NOT NULL DEFAULT false,
    with_notes        boolean NOT NULL DEFAULT false,
    needs_identified  integer NOT NULL DEFAULT 0,
    volunteers        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, visit_id)
);
CREATE INDEX IF NOT EXISTS visits_station ON {s}.visits (station_id, visited_on);
CREATE TABLE IF NOT EXISTS {s}.needs (
    household_id   text NOT NULL,
    need_id        text NOT NULL,
    station_id     text NOT NULL,
    category       text NOT NULL,
    severity       text NOT NULL,
    status         text NOT NULL,          -- open | referred | resolved | closed
    identified_on  date NOT NULL,
    acted_on       date,                   -- first referral, resolution or closure
    ended_on       date,
    agency_kind    text,
    PRIMARY KEY (household_id, need_id)
);
CREATE INDEX IF NOT EXISTS needs_station ON {s}.needs (station_id, status);
"""
TABLES = ("households", "visits", "needs")


async def registered(
    conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdRegistered
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.households (household_id, station_id, categories, community, member_count, registered_on)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (household_id) DO UPDATE SET categories = $3, community = $4, member_count = $5,
                registered_on = $6""",
        env.aggregate_id,
        env.station_id,
        list(e.categories),
        e.community,
        e.member_count,
        local_date(e.registered_at),
    )


async def updated(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdUpdated) -> None:
    await conn.execute(
        f"""UPDATE {s}.households SET categories = coalesce($2, categories), community = coalesce($3, community),
                member_count = coalesce($4, member_count) WHERE household_id = $1""",
        env.aggregate_id,
        list(e.categories) if e.categories else None,
        e.community,
        e.member_count,
    )


async def _due(
    conn: asyncpg.Connection,
    s: str,
    env: Envelope,
    next_due_at: datetime | None,
    tier: str | None = None,
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.households (household_id, station_id, risk_tier, next_due_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (household_id) DO UPDATE SET next_due_at = $4,
                risk_tier = coalesce($3, {s}.households.risk_tier)""",
        env.aggregate_id,
        env.station_id,
        tier,
        next_due_at,
    )


async def tier_assigned(
    conn: asyncpg.Connection, s: str, env: Envelope, e: RiskTierAssigned
) -> None:
    await _due(conn, s, env, e.next_due_at, e.tier)


async def follow_up(conn: asyncpg.Connection, s: str, env: Envelope, e: FollowUpScheduled) -> None:
    await _due(conn, s, env, e.next_due_at)


async def visit_scheduled(
    conn: asyncpg.Connection, s: str, env: Envelope, e: VisitScheduled
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.visits (household_id, visit_id, station_id, status, scheduled_for)
            VALUES ($1, $2, $3, 'scheduled', $4)
            ON CONFLICT (household_id, visit_id) DO UPDATE SET scheduled_for = $4""",
        env.aggregate_id,
        e.visit_id,
        env.station_id,
        e.scheduled_for,
    )


async def visit_recorded(conn: asyncpg.Connection, s: str, env: Envelope, e: VisitRecorded) -> None:
    services = sorted({g.kind for g in e.services})
    policies = sorted({p for g in e.services for p in g.policies})
    await conn.execute(
        f"""INSERT INTO {s}.visits (household_id, visit_id, station_id, status, visited_on, mode, services,
                policies, with_observations, with_notes, needs_identified, volunteers)
            VALUES ($1, $2, $3, 'made', $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (household_id, visit_id) DO UPDATE SET status = 'made', visited_on = $4, mode = $5,
                services = $6, policies = $7, with_observations = $8, with_notes = $9,
                needs_identified = $10, volunteers = $11""",
        env.aggregate_id,
        e.visit_id,
        env.station_id,
        local_date(e.visited_at),
        e.mode,
        services,
        policies,
        e.observations_sealed is not None,
        e.notes_sealed is not None,
        e.needs_identified,
        len(e.volunteer_ids),
    )
    await _due(conn, s, env, e.next_due_at)


async def need_identified(
    conn: asyncpg.Connection, s: str, env: Envelope, e: NeedIdentified
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.needs (household_id, need_id, station_id, category, severity, status, identified_on)
            VALUES ($1, $2, $3, $4, $5, 'open', $6)
            ON CONFLICT (household_id, need_id) DO UPDATE SET category = $4, severity = $5, identified_on = $6""",
        env.aggregate_id,
        e.need_id,
        env.station_id,
        e.category,
        e.severity,
        e.identified_on,
    )


async def _act(
    conn: asyncpg.Connection,
    s: str,
    env: Envelope,
    need_id: str,
    status: str,
    on: date,
    ended: bool,
    agency_kind: str | None = None,
) -> None:
    await conn.execute(
        f"""UPDATE {s}.needs SET status = $3, acted_on = coalesce(acted_on, $4),
                ended_on = CASE WHEN $5 THEN $4 ELSE ended_on END,
                agency_kind = coalesce($6, agency_kind)
            WHERE household_id = $1 AND need_id = $2""",
        env.aggregate_id,
        need_id,
        status,
        on,
        ended,
        agency_kind,
    )


async def need_referred(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedReferred) -> None:
    await _act(conn, s, env, e.need_id, "referred", e.referred_on, False, e.agency_kind)


async def need_resolved(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedResolved) -> None:
    await _act(conn, s, env, e.need_id, "resolved", e.resolved_on, True)


async def need_closed(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedClosed) -> None:
    await _act(conn, s, env, e.need_id, "closed", e.closed_on, True)


async def erased(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdErased) -> None:
    """The household is gone from every list; its open needs close with it."""
    await conn.execute(
        f"UPDATE {s}.households SET erased = true, community = NULL, next_due_at = NULL WHERE household_id = $1",
        env.aggregate_id,
    )
    day = local_date(e.erased_at)
    await conn.execute(
        f"""UPDATE {s}.needs SET status = 'closed', acted_on = coalesce(acted_on, $2), ended_on = $2
            WHERE household_id = $1 AND status IN ('open', 'referred')""",
        env.aggregate_id,
        day,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    HouseholdRegistered: registered,
    HouseholdUpdated: updated,
    RiskTierAssigned: tier_assigned,
    FollowUpScheduled: follow_up,
    VisitScheduled: visit_scheduled,
    VisitRecorded: visit_recorded,
    NeedIdentified: need_identified,
    NeedReferred: need_referred,
    NeedResolved: need_resolved,
    NeedClosed: need_closed,
    HouseholdErased: erased,
}

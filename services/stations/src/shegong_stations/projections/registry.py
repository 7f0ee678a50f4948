"""Registry facts on the board: stations, community social organisations, evaluations."""

from __future__ import annotations

import json

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.calendar import local_date
from shegong_events.registry import (
    OrgChanged,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
    StationEvaluated,
    StationOpened,
    StationUpdated,
)
from shegong_runtime.read_models import Handler

DDL = """
CREATE TABLE IF NOT EXISTS {s}.stations (
    station_id    text PRIMARY KEY,
    name          text NOT NULL,
    city          text NOT NULL,
    district_id   text NOT NULL,
    district_name text NOT NULL,
    street        text NOT NULL,
    kind          text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.organisations (
    org_id         text PRIMARY KEY,
    station_id     text NOT NULL,
    name           text NOT NULL,
    category       text NOT NULL,
    community      text,
    members        integer,
    status         text NOT NULL,          -- OrgStatus: pending | returned | approved | volunteer_team | deregistered
    filed_on       date NOT NULL,
    returns        integer NOT NULL DEFAULT 0,
    approved_on    date,
    decided_on     date,                   -- first return or approval: the filing was processed
    filing_number  text,
    volunteers     integer
);
CREATE INDEX IF NOT EXISTS organisations_station ON {s}.organisations (station_id);
CREATE TABLE IF NOT EXISTS {s}.evaluations (
    evaluation_id  text PRIMARY KEY,
    station_id     text NOT NULL,
    district_id    text NOT NULL,
    kind           text NOT NULL,
    period         text NOT NULL,
    scores         jsonb NOT NULL,
    reviewer       text NOT NULL,
    evaluated_on   date NOT NULL,
    exemplary      boolean NOT NULL,
    summary        text,
    highlights     jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_station ON {s}.evaluations (station_id, evaluated_on);
"""


async def station_opened(conn: asyncpg.Connection, s: str, env: Envelope, e: StationOpened) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.stations VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (station_id) DO UPDATE SET name = $2, city = $3, district_id = $4,
                district_name = $5, street = $6, kind = $7""",
        e.station_id,
        e.name,
        e.city,
        e.district_id,
        e.district_name,
        e.street,
        e.kind,
    )


async def station_updated(
    conn: asyncpg.Connection, s: str, env: Envelope, e: StationUpdated
) -> None:
    if e.name:
        await conn.execute(
            f"UPDATE {s}.stations SET name = $2 WHERE station_id = $1", env.aggregate_id, e.name
        )


async def org_filed(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFiled) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.organisations (org_id, station_id, name, category, community, members, status, filed_on)
            VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
            ON CONFLICT (org_id) DO NOTHING""",
        env.aggregate_id,
        env.station_id,
        e.name,
        e.category,
        e.community,
        e.members,
        local_date(env.occurred_at),
    )


async def org_returned(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingReturned
) -> None:
    await conn.execute(
        f"""UPDATE {s}.organisations SET status = 'returned', returns = returns + 1,
                decided_on = coalesce(decided_on, $2) WHERE org_id = $1""",
        env.aggregate_id,
        local_date(env.occurred_at),
    )


async def org_resubmitted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingResubmitted
) -> None:
    await conn.execute(
        f"""UPDATE {s}.organisations SET status = 'pending', name = coalesce($2, name),
                category = coalesce($3, category), community = coalesce($4, community),
                members = coalesce($5, members) WHERE org_id = $1""",
        env.aggregate_id,
        e.name,
        e.category,
        e.community,
        e.members,
    )


async def org_approved(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingApproved
) -> None:
    await conn.execute(
        f"""UPDATE {s}.organisations SET status = 'approved', name = $2, category = $3,
                filing_number = $4, approved_on = $5, decided_on = coalesce(decided_on, $5) WHERE org_id = $1""",
        env.aggregate_id,
        e.name,
        e.category,
        e.filing_number,
        local_date(env.occurred_at),
    )


async def org_changed(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgChanged) -> None:
    await conn.execute(
        f"UPDATE {s}.organisations SET name = coalesce($2, name), members = coalesce($3, members) WHERE org_id = $1",
        env.aggregate_id,
        e.name,
        e.members,
    )


async def org_converted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgConvertedToVolunteerTeam
) -> None:
    await conn.execute(
        f"""UPDATE {s}.organisations SET status = 'volunteer_team', name = coalesce($2, name), volunteers = $3
            WHERE org_id = $1""",
        env.aggregate_id,
        e.team_name,
        e.volunteers,
    )


async def org_deregistered(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgDeregistered
) -> None:
    await conn.execute(
        f"UPDATE {s}.organisations SET status = 'deregistered' WHERE org_id = $1", env.aggregate_id
    )


async def station_evaluated(
    conn: asyncpg.Connection, s: str, env: Envelope, e: StationEvaluated
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.evaluations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (evaluation_id) DO UPDATE SET kind = $4, period = $5, scores = $6,
                reviewer = $7, evaluated_on = $8, exemplary = $9, summary = $10, highlights = $11""",
        env.aggregate_id,
        env.station_id,
        e.district_id,
        e.kind,
        e.period,
        json.dumps(e.scores.model_dump(mode="json")),
        e.reviewer,
        e.evaluated_on,
        e.exemplary,
        e.summary,
        json.dumps(e.highlights, ensure_ascii=False),
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    StationOpened: station_opened,
    StationUpdated: station_updated,
    OrgFiled: org_filed,
    OrgFilingReturned: org_returned,
    OrgFilingResubmitted: org_resubmitted,
    OrgFilingApproved: org_approved,
    OrgChanged: org_changed,
    OrgConvertedToVolunteerTeam: org_converted,
    OrgDeregistered: org_deregistered,
    StationEvaluated: station_evaluated,
}
TABLES = ("stations", "organisations", "evaluations")

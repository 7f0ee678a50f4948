"""Organisations of every station, one row each, and each organisation's timeline: one handler
per event type changes the row; every event also lands in the timeline."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.registry import (
    OrgChanged,
    OrgContactErased,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_runtime.read_models import Handler

DDL = """
CREATE TABLE IF NOT EXISTS {s}.organisations (
    organisation_id text PRIMARY KEY,
    station_id text NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    community text NOT NULL,
    status text NOT NULL,
    filing_number text,
    members integer NOT NULL,
    venue text,
    activity_area text NOT NULL,
    charter_summary text NOT NULL,
    responsible_person_sealed text NOT NULL,
    responsible_phone_sealed text,
    return_reasons jsonb,
    volunteers integer,
    service_focus text,
    deregistration_reason text,
    filed_at timestamptz NOT NULL,
    pending_since timestamptz,
    approved_at timestamptz,
    deregistered_at timestamptz,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS organisations_station_status ON {s}.organisations (station_id, status);
CREATE INDEX IF NOT EXISTS organisations_pending ON {s}.organisations (pending_since)
    WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS organisations_listed ON {s}.organisations (station_id, filed_at, organisation_id);
CREATE INDEX IF NOT EXISTS organisations_listed_by_status ON {s}.organisations (station_id, status, filed_at, organisation_id);
CREATE INDEX IF NOT EXISTS organisations_pending_listed ON {s}.organisations (pending_since, organisation_id)
    WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS {s}.org_timeline (
    organisation_id text NOT NULL,
    version integer NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    actor text NOT NULL,
    details jsonb NOT NULL,
    PRIMARY KEY (organisation_id, version)
);
"""
TABLES = ("organisations", "org_timeline")


def _given(event: DomainEvent, *leave: str) -> dict[str, Any]:
    """The event's fields that carry a value, as columns (absent fields stay unchanged)."""
    return event.model_dump(exclude_none=True, exclude=set(leave))


def _details(event: DomainEvent) -> dict[str, Any]:
    """What the timeline shows of an event: its facts, with sealed values reduced to their names."""
    data = event.model_dump(mode="json", exclude_none=True)
    sealed = sorted(k.removesuffix("_sealed") for k in data if k.endswith("_sealed"))
    details = {k: v for k, v in data.items() if not k.endswith("_sealed")}
    if sealed:
        details["personal_data_sealed"] = sealed
    return details


async def _timeline(conn: asyncpg.Connection, s: str, env: Envelope, event: DomainEvent) -> None:
    await conn.execute(
        f"INSERT INTO {s}.org_timeline VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) "
        "ON CONFLICT DO NOTHING",
        env.aggregate_id,
        env.aggregate_version,
        env.event_type,
        env.occurred_at,
        env.recorded_at,
        env.actor,
        json.dumps(_details(event), ensure_ascii=False),
    )


async def _update(
    conn: asyncpg.Connection, s: str, env: Envelope, event: DomainEvent, **columns: Any
) -> None:
    """Set `columns` on the organisation's row, stamped with the event; then its timeline entry."""
    changes = {**columns, "updated_at": env.occurred_at, "version": env.aggregate_version}
    sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(changes, start=2))
    await conn.execute(
        f"UPDATE {s}.organisations SET {sets} WHERE organisation_id = $1",
        env.aggregate_id,
        *changes.values(),
    )
    await _timeline(conn, s, env, event)


async def filed(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFiled) -> None:
    row = {
        "organisation_id": env.aggregate_id,
        "station_id": env.station_id,
        **e.model_dump(),
        "status": "pending",
        "filed_at": env.occurred_at,
        "pending_since": env.occurred_at,
        "updated_at": env.occurred_at,
        "version": env.aggregate_version,
    }
    names = ", ".join(row)
    params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO {s}.organisations ({names}) VALUES ({params}) ON CONFLICT DO NOTHING",
        *row.values(),
    )
    await _timeline(conn, s, env, e)


async def returned(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingReturned) -> None:
    reasons = json.dumps(e.reasons, ensure_ascii=False)
    await _update(conn, s, env, e, status="returned", pending_since=None, return_reasons=reasons)


async def resubmitted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingResubmitted
) -> None:
    await _update(
        conn,
        s,
        env,
        e,
        **_given(e, "note"),
        status="pending",
        pending_since=env.occurred_at,
        return_reasons=None,
    )


async def approved(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgFilingApproved) -> None:
    await _update(
        conn,
        s,
        env,
        e,
        **_given(e),
        status="approved",
        pending_since=None,
        approved_at=env.occurred_at,
    )


async def changed(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgChanged) -> None:
    await _update(conn, s, env, e, **_given(e, "note"))


async def converted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgConvertedToVolunteerTeam
) -> None:
    renamed = {"name": e.team_name} if e.team_name else {}
    await _update(conn, s, env, e, **_given(e, "team_name"), status="volunteer_team", **renamed)


async def contact_erased(
    conn: asyncpg.Connection, s: str, env: Envelope, e: OrgContactErased
) -> None:
    # the key is gone; the sealed copies go too (a read model must not outlive erasure)
    await _update(conn, s, env, e, responsible_person_sealed="", responsible_phone_sealed=None)


async def deregistered(conn: asyncpg.Connection, s: str, env: Envelope, e: OrgDeregistered) -> None:
    await _update(
        conn,
        s,
        env,
        e,
        status="deregistered",
        deregistered_at=env.occurred_at,
        deregistration_reason=e.reason,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    OrgFiled: filed,
    OrgFilingReturned: returned,
    OrgFilingResubmitted: resubmitted,
    OrgFilingApproved: approved,
    OrgChanged: changed,
    OrgConvertedToVolunteerTeam: converted,
    OrgContactErased: contact_erased,
    OrgDeregistered: deregistered,
}

"""The registry's own read models: organisations with their timelines, and station evaluations.

Personal data stays sealed here as in the events (`*_sealed` columns); the timeline keeps only
which personal fields changed, never their values.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_events.registry import (
    OrgChanged,
    OrgContactErased,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
    StationEvaluated,
)
from shegong_runtime.projection import Projection

from shegong_registry.domain.evaluation import total


class OrganisationEventAhead(Exception):
    """An event arrived before the one it follows; the runner retries it after the gap fills."""


ORG_COLUMNS = """
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
"""


def _changes(event: Any, envelope: Envelope) -> dict[str, Any]:
    """Column → new value for one organisation event after the filing."""
    at = envelope.occurred_at
    fields = event.model_dump(exclude_none=True, exclude={"note", "team_name", "reasons", "reason"})
    match event:
        case OrgFilingReturned():
            return {
                "status": "returned",
                "pending_since": None,
                "return_reasons": json.dumps(event.reasons, ensure_ascii=False),
            }
        case OrgFilingResubmitted():
            return {**fields, "status": "pending", "pending_since": at, "return_reasons": None}
        case OrgFilingApproved():
            return {**fields, "status": "approved", "pending_since": None, "approved_at": at}
        case OrgChanged():
            return fields
        case OrgConvertedToVolunteerTeam():
            return {**fields, "status": "volunteer_team"} | (
                {"name": event.team_name} if event.team_name else {}
            )
        case OrgContactErased():
            # the key is gone; the sealed copies go too (a read model must not outlive erasure)
            return {"responsible_person_sealed": "", "responsible_phone_sealed": None}
        case OrgDeregistered():
            return {
                "status": "deregistered",
                "deregistered_at": at,
                "deregistration_reason": event.reason,
            }
    return {}


def _details(event: Any) -> dict[str, Any]:
    """What the timeline shows of an event: its facts, with sealed values reduced to their names."""
    data = event.model_dump(mode="json", exclude_none=True)
    sealed = sorted(k.removesuffix("_sealed") for k in data if k.endswith("_sealed"))
    details = {k: v for k, v in data.items() if not k.endswith("_sealed")}
    if sealed:
        details["personal_data_sealed"] = sealed
    return details


class Organisations(Projection):
    name = "registry_organisations"
    domains = ("registry",)
    ddl = f"""
    CREATE TABLE IF NOT EXISTS {{s}}.organisations ({ORG_COLUMNS});
    CREATE INDEX IF NOT EXISTS organisations_station_status ON {{s}}.organisations (station_id, status);
    CREATE INDEX IF NOT EXISTS organisations_pending ON {{s}}.organisations (pending_since)
        WHERE status = 'pending';
    CREATE TABLE IF NOT EXISTS {{s}}.org_timeline (
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

    async def apply(self, conn: asyncpg.Connection, s: str, envelope: Envelope) -> None:
        if envelope.aggregate_type != "organisation":
            return
        current = (
            await conn.fetchval(
                f"SELECT version FROM {s}.organisations WHERE organisation_id = $1 FOR UPDATE",
                envelope.aggregate_id,
            )
            or 0
        )
        if envelope.aggregate_version <= current:
            return  # already applied
        if envelope.aggregate_version != current + 1:
            raise OrganisationEventAhead(
                f"{envelope.stream_id} v{envelope.aggregate_version} after v{current}"
            )
        event = CATALOG.decode(envelope)
        if isinstance(event, OrgFiled):
            await self._filed(conn, s, event, envelope)
        else:
            changes = {
                **_changes(event, envelope),
                "updated_at": envelope.occurred_at,
                "version": envelope.aggregate_version,
            }
            sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(changes, start=2))
            await conn.execute(
                f"UPDATE {s}.organisations SET {sets} WHERE organisation_id = $1",
                envelope.aggregate_id,
                *changes.values(),
            )
        await conn.execute(
            f"INSERT INTO {s}.org_timeline VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT DO NOTHING",
            envelope.aggregate_id,
            envelope.aggregate_version,
            envelope.event_type,
            envelope.occurred_at,
            envelope.recorded_at,
            envelope.actor,
            json.dumps(_details(event), ensure_ascii=False),
        )

    async def _filed(
        self, conn: asyncpg.Connection, s: str, event: OrgFiled, envelope: Envelope
    ) -> None:
        row = {
            "organisation_id": envelope.aggregate_id,
            "station_id": envelope.station_id,
            **event.model_dump(),
            "status": "pending",
            "filed_at": envelope.occurred_at,
            "pending_since": envelope.occurred_at,
            "updated_at": envelope.occurred_at,
            "version": envelope.aggregate_version,
        }
        names = ", ".join(row)
        params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
        await conn.execute(
            f"INSERT INTO {s}.organisations ({names}) VALUES ({params})", *row.values()
        )


class Evaluations(Projection):
    name = "registry_evaluations"
    domains = ("registry",)
    ddl = """
    CREATE TABLE IF NOT EXISTS {s}.evaluations (
        evaluation_id text PRIMARY KEY,
        station_id text NOT NULL,
        district_id text NOT NULL,
        kind text NOT NULL,
        period text NOT NULL,
        administration double precision NOT NULL,
        finance double precision NOT NULL,
        service_delivery double precision NOT NULL,
        social_evaluation double precision NOT NULL,
        publicity_innovation double precision NOT NULL,
        total double precision NOT NULL,
        reviewer text NOT NULL,
        evaluated_on date NOT NULL,
        exemplary boolean NOT NULL,
        summary text,
        highlights jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS evaluations_district ON {s}.evaluations (district_id, period);
    """

    async def apply(self, conn: asyncpg.Connection, s: str, envelope: Envelope) -> None:
        if envelope.event_type != StationEvaluated.event_type:
            return
        e = CATALOG.decode(envelope)
        assert isinstance(e, StationEvaluated)
        await conn.execute(
            f"INSERT INTO {s}.evaluations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
            "$16::jsonb) ON CONFLICT (evaluation_id) DO NOTHING",
            envelope.aggregate_id,
            envelope.station_id,
            e.district_id,
            e.kind,
            e.period,
            *e.scores.model_dump().values(),
            total(e),
            e.reviewer,
            e.evaluated_on,
            e.exemplary,
            e.summary,
            json.dumps(e.highlights, ensure_ascii=False),
        )

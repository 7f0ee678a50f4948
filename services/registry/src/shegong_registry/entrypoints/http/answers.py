"""What the registry's readings answer, as documented in its OpenAPI (the rows of its read models;
times in ISO 8601 with their offset)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from shegong_events.registry import EvaluationKind, OrgCategory, OrgStatus


class KnownStation(BaseModel):
    station_id: str
    name: str
    district_id: str
    district_name: str
    city: str


class OrganisationSummary(BaseModel):
    organisation_id: str
    station_id: str
    name: str
    category: OrgCategory
    community: str
    status: OrgStatus
    filing_number: str | None
    members: int
    volunteers: int | None
    filed_at: datetime
    pending_since: datetime | None
    approved_at: datetime | None
    deregistered_at: datetime | None
    updated_at: datetime
    version: int


class StationOrganisations(BaseModel):
    station_id: str
    counts: dict[OrgStatus, int] = Field(description="organisations of the station per status")
    items: list[OrganisationSummary]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


class Organisation(OrganisationSummary):
    venue: str | None
    activity_area: str
    charter_summary: str
    return_reasons: list[str] | None
    service_focus: str | None
    deregistration_reason: str | None
    responsible_person: str | None = Field(
        default=None, description="负责人, opened for station staff only (personal data)"
    )
    responsible_phone: str | None = Field(
        default=None, description="负责人电话, opened for station staff only, masked for a bureau"
    )


class TimelineEntry(BaseModel):
    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    details: dict[str, Any] = Field(
        description="the event's facts; personal data only named in `personal_data_sealed`"
    )


class Timeline(BaseModel):
    organisation_id: str
    status: OrgStatus
    items: list[TimelineEntry]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


class PendingFiling(OrganisationSummary):
    days_pending: int


class PendingFilings(BaseModel):
    older_than_days: int
    items: list[PendingFiling]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


class EvaluationRow(BaseModel):
    evaluation_id: str
    station_id: str
    station_name: str | None
    district_id: str
    kind: EvaluationKind
    period: str
    administration: float
    finance: float
    service_delivery: float
    social_evaluation: float
    publicity_innovation: float
    total: float
    reviewer: str
    evaluated_on: date
    exemplary: bool
    summary: str | None
    highlights: list[str]


class DistrictEvaluations(BaseModel):
    district_id: str
    items: list[EvaluationRow]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


# ── the answers of commands (the same again on a retry with the same Idempotency-Key) ──


class StationAnswer(BaseModel):
    station_id: str | None
    version: int | None


class OrganisationAnswer(BaseModel):
    organisation_id: str
    station_id: str
    version: int
    status: OrgStatus
    name: str
    filing_number: str | None


class EvaluationAnswer(BaseModel):
    evaluation_id: str
    station_id: str
    version: int
    total: float
    exemplary: bool


class Erased(BaseModel):
    """The erasure event's aggregate and version; `erased` is always true."""

    station_id: str | None = None
    organisation_id: str | None = None
    version: int
    erased: bool

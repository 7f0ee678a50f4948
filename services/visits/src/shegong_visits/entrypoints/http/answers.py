"""What the visits API answers, as documented in its OpenAPI (and checked against real answers
in the tests). Personal fields appear only for station staff and bureaus (`personal.may_read`),
masked for bureaus, and read `[已删除]` once the household is erased."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from shegong_events.visits import (
    ConsentPurpose,
    HouseholdCategory,
    LegalBasis,
    NeedCategory,
    NeedStatus,
    Relation,
    RiskTier,
    Severity,
)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HouseholdChanged(Answer):
    """A household command's answer; the same again on a retry with the same Idempotency-Key."""

    household_id: str
    version: int | None = Field(description="the household's version now: send it as If-Match")
    events: list[str] = Field(description="the event types recorded")
    next_due_at: datetime | None = Field(description="when the next visit is due")
    visit_id: str | None = Field(default=None, description="the visit scheduled or recorded")
    need_id: str | None = Field(default=None, description="the need identified or changed")
    need_ids: list[str] | None = Field(default=None, description="the needs found on the visit")


class HeadPersonalData(Answer):
    head_name: str | None = None
    phone: str | None = None
    address: str | None = None
    id_number: str | None = None


class HouseholdRow(HeadPersonalData):
    """A household in its station's list (from the read model)."""

    household_id: str
    station_id: str
    community: str | None
    categories: list[HouseholdCategory]
    category_labels: list[str]
    member_count: int
    risk_tier: RiskTier
    tier_label: str
    next_due_at: datetime | None
    last_visit_at: datetime | None
    visits: int
    erased: bool


class MemberShown(Answer):
    member_id: str
    relation: Relation
    birth_year: int | None
    name: str | None = Field(default=None, description="for station staff and bureaus only")


class NeedShown(Answer):
    need_id: str
    category: NeedCategory
    severity: Severity
    member_id: str | None
    status: NeedStatus
    status_label: str
    identified_on: date


class ConsentShown(Answer):
    purpose: ConsentPurpose
    member_id: str | None


class HouseholdDetail(HeadPersonalData):
    """One household from its own events (always current); its version is the ETag."""

    household_id: str
    station_id: str
    version: int
    erased: bool
    categories: list[HouseholdCategory]
    category_labels: list[str]
    community: str | None
    member_count: int
    members: list[MemberShown]
    risk_tier: RiskTier
    tier_label: str
    last_visit_at: datetime | None
    next_due_at: datetime | None
    scheduled_visits: list[str]
    needs: list[NeedShown]
    consents: list[ConsentShown]
    legal_bases: dict[ConsentPurpose, LegalBasis]


class TimelineEntry(Answer):
    """One event of the household, with a Chinese title; sealed values opened for staff."""

    version: int
    event_type: str
    occurred_at: datetime
    actor: str
    facts: dict[str, Any] = Field(description="the event's facts without its sealed fields")
    title: str
    personal: dict[str, Any] | None = Field(
        default=None, description="the event's sealed fields opened, by dotted path (staff only)"
    )


class OverdueHousehold(Answer):
    household_id: str
    station_id: str
    community: str | None
    categories: list[HouseholdCategory]
    risk_tier: RiskTier
    tier_label: str
    next_due_at: datetime
    last_visit_at: datetime | None
    hours_overdue: int


class OpenNeed(Answer):
    household_id: str
    need_id: str
    station_id: str
    category: NeedCategory
    category_label: str
    severity: Severity
    severity_label: str
    member_id: str | None
    status: NeedStatus
    status_label: str
    identified_on: date
    referred_to: str | None
    settled_on: date | None


class OpenNeeds(Answer):
    """A page of open needs, with the count of all of them per severity."""

    by_severity: dict[Severity, int]
    items: list[OpenNeed]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


class ExportedEvent(Answer):
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    station_id: str
    facts: dict[str, Any]


class Export(Answer):
    """Everything recorded about the household (PIPL), its personal data opened."""

    subject_id: str
    exported_at: datetime
    events: list[ExportedEvent]


# the household ledger (台账): a dry run's report, an import started, its progress


class ProblemRow(BaseModel):
    row: int = Field(description="the worksheet's row number, as Excel shows it")
    column: str = Field(examples=["户主姓名"])
    rule: str = Field(examples=["required"])
    message: str = Field(examples=["必填，不能为空"])


class DryRunReport(BaseModel):
    rows: int
    valid: int
    existing: int = Field(description="rows naming a household the station has: skipped")
    problem_count: int
    problems: list[ProblemRow] = Field(description="the first 1,000 problems")
    clean: bool


class ImportProgress(BaseModel):
    import_id: str
    station_id: str
    actor: str
    actor_role: str
    file_hash: str = Field(description="HMAC-SHA256 of the file under the service's secret")
    file_bytes: int
    rows_total: int
    rows_done: int
    rows_added: int
    rows_repeated: int
    rows_existing: int
    status: Literal["running", "done", "failed"]
    failure: str | None
    started_at: datetime
    finished_at: datetime | None
    percent: float


class ImportStarted(BaseModel):
    import_id: str
    station_id: str
    rows: int
    file_hash: str
    status: Literal["running"]

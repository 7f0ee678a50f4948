"""What the JSON API answers, as models: the OpenAPI document shows them, and an answer that
strayed from them would be caught here rather than by a client.

Counts keyed by a code (a category, a status, a kind) use the codes of `shegong_events` and the
words of `shegong_events.glossary`; organisation statuses are registry's `OrgStatus`.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

Number = int | float
Counts = dict[str, int]


class StationInfo(BaseModel):
    station_id: str
    name: str
    city: str
    district_id: str
    district_name: str
    street: str
    kind: str = Field(description="StationKind: street | township")


class Households(BaseModel):
    total: int
    by_category: Counts = Field(description="HouseholdCategory -> households")
    by_risk_tier: Counts = Field(description="RiskTier, or `unassessed` -> households")


class Visits(BaseModel):
    this_week: int
    this_month: int
    overdue: int
    households_visited_this_month: int


class Needs(BaseModel):
    open: int
    urgent: int
    by_severity: Counts = Field(description="Severity -> open needs")


class Organisations(BaseModel):
    total: int
    by_status: Counts = Field(
        description="OrgStatus (pending | returned | approved | volunteer_team | deregistered) -> organisations"
    )


class MeetingCount(BaseModel):
    meetings: int
    participants: int


class Meetings(BaseModel):
    this_month: dict[str, MeetingCount] = Field(description="MeetingKind -> held this month")
    total: dict[str, MeetingCount] = Field(description="MeetingKind -> held so far")


class ActionItems(BaseModel):
    open: int
    overdue: int
    done: int


class Volunteers(BaseModel):
    enrolled: int
    hours_this_month: Number
    hours_total: Number
    certificates: int


class Figures(BaseModel):
    households: Households
    visits: Visits
    needs: Needs
    organisations: Organisations
    meetings: Meetings
    action_items: ActionItems
    volunteers: Volunteers
    records: dict[str, list[int]] = Field(description="documentation check -> [done, of]")


class Check(BaseModel):
    key: str
    label: str
    done: int
    of: int
    share: float | None


class Dimension(BaseModel):
    score: float | None
    checks: list[Check]
    note: str | None


class Evaluation(BaseModel):
    station_id: str
    evaluation_id: str
    kind: str = Field(description="EvaluationKind: midterm | final")
    period: str
    scores: dict[str, Number] = Field(description="dimension -> score (0-100)")
    reviewer: str
    evaluated_on: date
    exemplary: bool
    summary: str | None
    highlights: list[str]
    average: Number | None


class UrgentNeed(BaseModel):
    station_id: str
    household_id: str
    need_id: str
    category: str = Field(description="NeedCategory")
    status: str = Field(description="NeedStatus: open | referred")
    identified_on: date
    days_open: int


class StationSummary(BaseModel):
    station: StationInfo
    on: date
    figures: Figures
    completeness: dict[str, Dimension] = Field(description="evaluation dimension -> completeness")
    evaluation: Evaluation | None
    urgent_needs: list[UrgentNeed]


class Scope(BaseModel):
    kind: str = Field(description="district | city")
    district_id: str | None = Field(default=None, description="a district's roll-up only")
    name: str
    city: str


class EvaluationsSideBySide(BaseModel):
    evaluated: int
    stations: int
    average_scores: dict[str, Number]
    exemplary: list[str]


class Rollup(BaseModel):
    scope: Scope
    on: date
    figures: Figures
    completeness: dict[str, Dimension]
    evaluations: EvaluationsSideBySide
    urgent_needs: list[UrgentNeed]
    items: list[StationSummary] = Field(
        description="a page of the scope's stations; the figures above add up all of them"
    )
    next: str | None = Field(description="the cursor of the next page of stations, or null")


class Completeness(BaseModel):
    station: StationInfo
    completeness: dict[str, Dimension]
    evaluation: Evaluation | None


class Mention(BaseModel):
    station_id: str
    station: str
    what: str
    on: date | None
    count: int | None
    participants: int | None


class RoundupSection(BaseModel):
    kind: str
    heading: str
    paragraphs: list[str]
    mentions: list[Mention]


class RoundupAnswer(BaseModel):
    title: str = Field(examples=["兰州市社会工作一周掠影"])
    scope: str
    district_id: str | None
    start: date
    end: date
    lead: str
    sections: list[RoundupSection]
    markdown: str
    totals: dict[str, int] = Field(
        default_factory=dict,
        description="the span's flows under the monthly report's indicator codes",
    )


class ConsumerLag(BaseModel):
    projection: str
    generation: int | None
    domain: str
    unit: str
    consumer: str
    pending: int
    applied: int
    dead_lettered: int
    stream_seq: int
    running: bool


class LagAnswer(BaseModel):
    pending: int
    consumers: list[ConsumerLag]

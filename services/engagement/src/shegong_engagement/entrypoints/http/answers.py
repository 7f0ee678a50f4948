"""What each reading answers, for the OpenAPI document: the read models' rows, sealed names
left out and opened ones (`name`, `proposer_name`, `owner_name`) in where the caller may see
them. Routes return the rows as read; these models describe them (`openapi.reading(...)`),
they do not reshape them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from shegong_events.engagement import (
    CoOrganiser,
    MeetingKind,
    Outcome,
    ParticipantGroup,
    ParticipantRole,
    QuorumRule,
    Topic,
    VolunteerCategory,
)


class Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class Meeting(Row):
    meeting_id: str
    station_id: str
    kind: MeetingKind
    status: str
    title: str
    theme: str | None = None
    scheduled_on: date | None = None
    held_on: date | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = None
    venue: str | None = None
    format: str | None = None
    co_organisers: list[CoOrganiser] = []
    planned_topics: list[Topic] = []
    participants_total: int | None = None
    participant_groups: list[ParticipantGroup] = []
    topics: list[Topic] = []
    outcomes: list[Outcome] = []
    members_total: int | None = None
    members_present: int | None = None
    quorum_rule: QuorumRule | None = None
    model_station_id: str | None = None
    summary: str | None = None
    description: str | None = None


class Issue(Row):
    meeting_id: str
    issue_id: str
    station_id: str
    title: str
    detail: str | None = None
    topic: str | None = None
    proposer_role: ParticipantRole
    proposer_name: str | None = None
    proposed_on: date


class Motion(Row):
    meeting_id: str
    motion_id: str
    station_id: str
    text: str
    issue_id: str | None = None
    voted_on: date
    votes_for: int
    votes_against: int
    abstentions: int
    members_total: int
    members_present: int
    quorum_rule: QuorumRule
    rule_source: str
    required_present: int
    quorum_met: bool
    required_for: int
    passed: bool


class Resolution(Row):
    meeting_id: str
    resolution_id: str
    station_id: str
    motion_id: str
    text: str
    adopted_on: date


class ActionItem(Row):
    meeting_id: str
    action_id: str
    station_id: str
    title: str
    resolution_id: str | None = None
    issue_id: str | None = None
    owner_role: ParticipantRole
    owner_unit: str | None = None
    owner_name: str | None = None
    assigned_on: date
    due_on: date
    done_on: date | None = None
    late: bool | None = None
    note: str | None = None


class ActionItemListed(ActionItem):
    meeting_title: str
    meeting_kind: MeetingKind
    overdue: bool
    days_overdue: int


class MeetingDetail(Meeting):
    issues: list[Issue]
    motions: list[Motion]
    resolutions: list[Resolution]
    action_items: list[ActionItem]


class KindCount(Row):
    station_id: str
    kind: MeetingKind
    scheduled: int
    held: int
    cancelled: int
    participants: int


class Volunteer(Row):
    volunteer_id: str
    station_id: str
    category: VolunteerCategory
    affiliation: str | None = None
    skills: list[str] = []
    name: str | None = None
    phone: str | None = None
    enrolled_on: date
    trainings: int
    training_minutes: int
    sessions: int
    minutes: int
    auto_closed_sessions: int
    auto_closed_minutes: int
    certified_minutes: int
    certificates: int
    open_session_id: str | None = None
    open_since: datetime | None = None


class Training(Row):
    volunteer_id: str
    training_id: str
    station_id: str
    title: str
    attended_on: date
    minutes: int | None = None
    meeting_id: str | None = None


class Session(Row):
    volunteer_id: str
    session_id: str
    station_id: str
    activity: str
    meeting_id: str | None = None
    checked_in_at: datetime
    checked_out_at: datetime | None = None
    minutes: int | None = None
    auto_closed: bool | None = None
    limit_hours: float | None = None
    certificate_number: str | None = None


class Certificate(Row):
    certificate_number: str
    volunteer_id: str
    station_id: str
    affiliation: str | None = None
    session_ids: list[str]
    sessions: int
    minutes: int
    hours: float
    auto_closed_sessions: int
    period_from: date
    period_to: date
    issued_on: date


class VolunteerDetail(Volunteer):
    trainings_attended: list[Training]
    service_sessions: list[Session]
    certificates_issued: list[Certificate]


class Hours(Row):
    station_id: str
    volunteers: int
    sessions: int | None = None
    minutes: int | None = None
    hours: float | None = None
    auto_closed_sessions: int | None = None
    certified_minutes: int | None = None
    trainings: int | None = None
    open_sessions: int


class CertificateCheck(Certificate):
    valid: bool
    station_name: str | None = None
    volunteer_name: str | None = None

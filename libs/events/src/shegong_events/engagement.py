"""Engagement domain (参与): meetings, resident deliberation and volunteers with their hours.

Two aggregates. A `meeting` (居民议事会, 联席会议, 互学交流, 共学坊, other) is scheduled, then held
or cancelled; the deliberation at it (issues, motions, resolutions, action items) lives on the
same stream. A `volunteer` is enrolled by one station, which records trainings, service
sessions and issues certificates of the hours it recorded.

Events are rich enough to write the weekly roundup (一周掠影) from them alone: a held meeting
names its kind, title, theme, host station (envelope `station_id`), co-organisers, date,
participants in total and by role, topics and outcomes. Names and phones are sealed.
Date-only facts are recorded as occurring at noon Beijing time, so their date reads the same
in UTC and in +08:00.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shegong_events.catalog import CATALOG
from shegong_events.envelope import DomainEvent, OpensAtStation
from shegong_events.erasure import ErasureReason
from shegong_events.ids import ENGAGEMENT_ID

ID = ENGAGEMENT_ID
FRACTION = r"^[1-9][0-9]{0,3}/[1-9][0-9]{0,3}$"

MeetingKind = Literal[
    "resident_deliberation",  # 居民议事会
    "joint_meeting",  # 联席会议 (with community social organisations)
    "peer_exchange",  # 互学交流 (between stations)
    "volunteer_workshop",  # 共学坊
    "other",
]
ParticipantRole = Literal[
    "resident",  # 居民
    "resident_representative",  # 居民代表
    "building_head",  # 楼院长
    "community_secretary",  # 社区书记
    "community_cadre",  # 社区干部
    "social_worker",  # 社工
    "station_lead",  # 社工站负责人
    "station_staff",  # 社工站人员
    "organisation_leader",  # 社区社会组织负责人
    "volunteer",  # 志愿者
    "student",  # 大学生
    "bureau_official",  # 民政局工作人员
    "teacher",  # 教师
    "other",
]
CoOrganiserKind = Literal[
    "community_committee",  # 社区（居委会）
    "district_bureau",  # 区民政局
    "university_association",  # 高校社团
    "community_organisation",  # 社区社会组织
    "station",  # 社工站
    "other",
]
OutcomeKind = Literal[
    "consensus",  # 共识
    "method",  # 方式方法 (e.g. 五大方式)
    "caution",  # 注意事项
    "decision",  # 决定
    "follow_up",  # 后续工作
    "learning",  # 收获
    "other",
]
VolunteerCategory = Literal["student", "resident", "professional", "other"]


class Part(BaseModel):
    """A value inside an event: frozen and closed like the event itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ParticipantGroup(Part):
    """Who took part, by role; `count` is absent where the record gives none."""

    role: ParticipantRole
    count: int | None = Field(default=None, ge=1, le=10000)
    label: str | None = Field(default=None, max_length=100, description="e.g. 大通路社区居民代表")


class CoOrganiser(Part):
    """An organisation (never a person) that organised or co-organised the meeting."""

    name: str = Field(min_length=1, max_length=100, description="e.g. 兰州财经大学社会工作协会")
    kind: CoOrganiserKind
    role: Literal["organiser", "co_organiser"] = "co_organiser"
    station_id: str | None = Field(default=None, pattern=ID, description="when it is a station")


class Topic(Part):
    title: str = Field(min_length=1, max_length=200, description="e.g. 为老服务")
    summary: str | None = Field(default=None, max_length=2000)


class Outcome(Part):
    """What the meeting produced; `group` gathers items the record names together (五大方式)."""

    kind: OutcomeKind
    text: str = Field(min_length=1, max_length=1000)
    group: str | None = Field(default=None, max_length=100)


class QuorumRule(Part):
    """法定人数与表决规则: attendance of members, and the share of votes a motion needs.

    Quorum: members present >= attendance x members. Passing: votes for > majority x base
    (>= when `majority_inclusive`); base is the votes cast (for + against, abstentions
    excluded) or the members present (abstentions then count against).
    """

    attendance: str = Field(default="2/3", pattern=FRACTION)
    majority: str = Field(default="1/2", pattern=FRACTION)
    majority_base: Literal["votes_cast", "members_present"] = "votes_cast"
    majority_inclusive: bool = False

    @model_validator(mode="after")
    def _fractions_at_most_one(self) -> QuorumRule:
        for name in ("attendance", "majority"):
            if Fraction(getattr(self, name)) > 1:
                raise ValueError(f"{name} must be a fraction no greater than 1")
        return self


class EngagementEvent(DomainEvent):
    domain = "engagement"


class MeetingEvent(EngagementEvent):
    aggregate_type = "meeting"


class VolunteerEvent(EngagementEvent):
    aggregate_type = "volunteer"


# --- meetings --------------------------------------------------------------------------------


@CATALOG.register
class MeetingScheduled(MeetingEvent, OpensAtStation):
    """A station scheduled a meeting it hosts (host station = envelope `station_id`)."""

    event_type = "MeetingScheduled"

    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200, description="e.g. 春日茶话联席 共语美好未来")
    theme: str | None = Field(default=None, max_length=200, description="e.g. 走进社区")
    scheduled_on: date
    venue: str | None = Field(default=None, max_length=200)
    co_organisers: list[CoOrganiser] = Field(default_factory=list, max_length=50)
    planned_topics: list[Topic] = Field(default_factory=list, max_length=50)
    members_total: int | None = Field(
        default=None, ge=1, le=10000, description="voting members (议事会成员)"
    )
    quorum_rule: QuorumRule | None = Field(
        default=None, description="the meeting's own rules, if any"
    )
    model_station_id: str | None = Field(
        default=None, pattern=ID, description="the station learned from (互学交流)"
    )
    description: str | None = Field(default=None, max_length=4000)


@CATALOG.register
class MeetingHeld(MeetingEvent):
    """The meeting took place: who came, what was discussed, what came of it."""

    event_type = "MeetingHeld"

    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    held_on: date
    venue: str | None = Field(default=None, max_length=200)
    format: str | None = Field(
        default=None, max_length=100, description="e.g. 拉家常式议事, 茶话会"
    )
    co_organisers: list[CoOrganiser] = Field(default_factory=list, max_length=50)
    participants_total: int | None = Field(default=None, ge=1, le=10000, description="共计N人参加")
    participant_groups: list[ParticipantGroup] = Field(default_factory=list, max_length=20)
    topics: list[Topic] = Field(default_factory=list, max_length=50)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=100)
    members_total: int | None = Field(default=None, ge=1, le=10000)
    members_present: int | None = Field(default=None, ge=0, le=10000)
    model_station_id: str | None = Field(default=None, pattern=ID)
    summary: str | None = Field(default=None, max_length=4000)


@CATALOG.register
class MeetingCancelled(MeetingEvent):
    """A scheduled meeting will not take place."""

    event_type = "MeetingCancelled"

    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200)
    scheduled_on: date
    cancelled_on: date
    reason: str = Field(min_length=1, max_length=1000)


# --- deliberation (居民议事) on a meeting's stream --------------------------------------------


@CATALOG.register
class IssueProposed(MeetingEvent):
    """An issue (议题) put to the meeting, by someone in a role; the name, if any, is sealed."""

    event_type = "IssueProposed"

    issue_id: str = Field(pattern=ID)
    title: str = Field(min_length=1, max_length=200)
    detail: str | None = Field(default=None, max_length=4000)
    topic: str | None = Field(default=None, max_length=200, description="the topic it belongs to")
    proposer_role: ParticipantRole
    proposer_name_sealed: str | None = None
    proposed_on: date


@CATALOG.register
class MotionVoted(MeetingEvent):
    """A motion was put to the vote: the count, the rule applied, and whether it passed."""

    event_type = "MotionVoted"

    motion_id: str = Field(pattern=ID)
    text: str = Field(min_length=1, max_length=2000)
    issue_id: str | None = Field(default=None, pattern=ID)
    voted_on: date
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    abstentions: int = Field(ge=0)
    members_total: int = Field(ge=1)
    members_present: int = Field(ge=0)
    quorum_rule: QuorumRule
    rule_source: Literal["meeting", "station", "settings"]
    required_present: int = Field(ge=0)
    quorum_met: bool
    required_for: int = Field(ge=0, description="votes for needed to pass")
    passed: bool


@CATALOG.register
class ResolutionAdopted(MeetingEvent):
    """A passed motion became a resolution (决议) of the meeting."""

    event_type = "ResolutionAdopted"

    resolution_id: str = Field(pattern=ID)
    motion_id: str = Field(pattern=ID)
    text: str = Field(min_length=1, max_length=2000)
    adopted_on: date


@CATALOG.register
class ActionItemAssigned(MeetingEvent):
    """Someone (a role, a unit; the name sealed) is to do something by a date."""

    event_type = "ActionItemAssigned"

    action_id: str = Field(pattern=ID)
    title: str = Field(min_length=1, max_length=500)
    resolution_id: str | None = Field(default=None, pattern=ID)
    issue_id: str | None = Field(default=None, pattern=ID)
    owner_role: ParticipantRole
    owner_unit: str | None = Field(
        default=None, max_length=100, description="e.g. 大通路社区居委会"
    )
    owner_name_sealed: str | None = None
    assigned_on: date
    due_on: date


@CATALOG.register
class ActionItemDone(MeetingEvent):
    """An action item was reported done; `late` when after its due date."""

    event_type = "ActionItemDone"

    action_id: str = Field(pattern=ID)
    title: str = Field(min_length=1, max_length=500)
    due_on: date
    done_on: date
    late: bool
    note: str | None = Field(default=None, max_length=2000)


# --- volunteers --------------------------------------------------------------------------------


@CATALOG.register
class VolunteerEnrolled(VolunteerEvent, OpensAtStation):
    """A station enrolled a volunteer; name and phone sealed with the volunteer's own key."""

    event_type = "VolunteerEnrolled"

    category: VolunteerCategory
    affiliation: str | None = Field(
        default=None, max_length=100, description="e.g. 兰州财经大学社会工作协会"
    )
    skills: list[str] = Field(default_factory=list, max_length=30)
    name_sealed: str
    phone_sealed: str | None = None
    enrolled_on: date


@CATALOG.register
class TrainingAttended(VolunteerEvent):
    """The volunteer attended a training, often a workshop meeting (共学坊)."""

    event_type = "TrainingAttended"

    training_id: str = Field(pattern=ID)
    title: str = Field(min_length=1, max_length=200)
    attended_on: date
    minutes: int | None = Field(default=None, ge=1, le=1440)
    meeting_id: str | None = Field(default=None, pattern=ID)


@CATALOG.register
class ServiceSessionCheckedIn(VolunteerEvent):
    """The volunteer started a service session at the station."""

    event_type = "ServiceSessionCheckedIn"

    session_id: str = Field(pattern=ID)
    checked_in_at: datetime
    activity: str = Field(min_length=1, max_length=200)
    meeting_id: str | None = Field(default=None, pattern=ID)


@CATALOG.register
class ServiceSessionCheckedOut(VolunteerEvent):
    """A session ended; `auto_closed` when it was closed at the limit instead of by check-out."""

    event_type = "ServiceSessionCheckedOut"

    session_id: str = Field(pattern=ID)
    checked_in_at: datetime
    checked_out_at: datetime
    minutes: int = Field(ge=0)
    auto_closed: bool
    limit_hours: float = Field(gt=0)


@CATALOG.register
class CertificateIssued(VolunteerEvent):
    """A certificate of service hours (志愿服务时长证明), verifiable by its number."""

    event_type = "CertificateIssued"

    certificate_number: str = Field(pattern=r"^ZY-[0-9]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]$")
    affiliation: str | None = Field(default=None, max_length=100)
    session_ids: list[str] = Field(min_length=1)
    sessions: int = Field(ge=1)
    minutes: int = Field(ge=0)
    hours: float = Field(ge=0)
    auto_closed_sessions: int = Field(ge=0, description="sessions closed at the limit among them")
    period_from: date
    period_to: date
    issued_on: date


@CATALOG.register
class VolunteerErased(VolunteerEvent):
    """The volunteer's name and phone erased (PIPL); hours and certificates stay, without a name."""

    event_type = "VolunteerErased"

    reason: ErasureReason
    erased_at: datetime


@CATALOG.register
class MeetingNameErased(MeetingEvent):
    """The name of an issue's proposer or an action item's owner erased (PIPL); the item stays,
    nameless. Exactly one of `issue_id` and `action_id` is given."""

    event_type = "MeetingNameErased"

    issue_id: str | None = Field(default=None, pattern=ID)
    action_id: str | None = Field(default=None, pattern=ID)
    reason: ErasureReason
    erased_at: datetime

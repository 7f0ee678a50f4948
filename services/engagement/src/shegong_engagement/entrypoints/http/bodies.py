"""The engagement service's request bodies: what a caller sends, closed (a misspelt field is
refused and named, 422) and frozen. Routes turn them into the domain's commands, with what the
route knows besides (ids, sealed names, today, the settings that apply)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field
from shegong_events.engagement import (
    ID,
    CoOrganiser,
    MeetingKind,
    Outcome,
    ParticipantGroup,
    ParticipantRole,
    QuorumRule,
    Topic,
    VolunteerCategory,
)
from shegong_events.ids import VOLUNTEER_PHONE
from shegong_runtime.inputs import MULTILINE, RequestModel


class CommandBody(RequestModel):
    """What a caller sends: closed, so a misspelt field is refused and named (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def facts(self, *leave_out: str) -> dict[str, Any]:
        """The fields as a command's keyword arguments (nested models kept, lists as tuples),
        `leave_out` left out: what only the route reads, or what it seals first."""
        return {k: tuple(v) if isinstance(v, list) else v for k, v in self if k not in leave_out}


# ── meetings ──


class ScheduleMeeting(CommandBody):
    meeting_id: str | None = Field(default=None, pattern=ID, description="generated when absent")
    kind: MeetingKind
    title: str = Field(examples=["福东社区居民议事会"], min_length=1, max_length=200)
    theme: str | None = Field(examples=["老旧小区加装电梯"], default=None, max_length=200)
    scheduled_on: date
    announced_on: date | None = Field(
        default=None, description="when it was scheduled; today if absent"
    )
    venue: str | None = Field(examples=["社区党群服务中心"], default=None, max_length=200)
    co_organisers: list[CoOrganiser] = Field(default_factory=list, max_length=50)
    planned_topics: list[Topic] = Field(default_factory=list, max_length=50)
    members_total: int | None = Field(default=None, ge=1, le=10000)
    quorum_rule: QuorumRule | None = None
    model_station_id: str | None = Field(default=None, pattern=ID)
    description: str | None = Field(
        examples=["围绕加装电梯的费用分摊听取居民意见。"],
        default=None,
        max_length=4000,
        json_schema_extra=MULTILINE,
    )


class HoldMeeting(CommandBody):
    held_on: date
    title: str | None = Field(
        examples=["福东社区居民议事会"],
        default=None,
        min_length=1,
        max_length=200,
        description="scheduled title if absent",
    )
    theme: str | None = Field(examples=["老旧小区加装电梯"], default=None, max_length=200)
    venue: str | None = Field(examples=["社区党群服务中心"], default=None, max_length=200)
    format: str | None = Field(default=None, max_length=100)
    co_organisers: list[CoOrganiser] | None = Field(
        default=None, max_length=50, description="scheduled ones if absent"
    )
    participants_total: int | None = Field(default=None, ge=1, le=10000)
    participant_groups: list[ParticipantGroup] = Field(default_factory=list, max_length=20)
    topics: list[Topic] = Field(default_factory=list, max_length=50)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=100)
    members_total: int | None = Field(
        default=None, ge=1, le=10000, description="scheduled figure if absent"
    )
    members_present: int | None = Field(default=None, ge=0, le=10000)
    model_station_id: str | None = Field(default=None, pattern=ID)
    summary: str | None = Field(
        examples=["表决通过加装电梯方案，明确后续分工。"],
        default=None,
        max_length=4000,
        json_schema_extra=MULTILINE,
    )


class CancelMeeting(CommandBody):
    cancelled_on: date | None = None
    reason: str = Field(
        examples=["天气原因改期"], min_length=1, max_length=1000, json_schema_extra=MULTILINE
    )


# ── deliberation ──


class ProposeIssue(CommandBody):
    issue_id: str = Field(pattern=ID)
    title: str = Field(examples=["3号楼加装电梯"], min_length=1, max_length=200)
    detail: str | None = Field(
        examples=["居民反映老人上下楼困难。"],
        default=None,
        max_length=4000,
        json_schema_extra=MULTILINE,
    )
    topic: str | None = Field(examples=["老旧小区改造"], default=None, max_length=200)
    proposer_role: ParticipantRole
    proposer_name: str | None = Field(
        default=None, max_length=50, description="sealed; never published"
    )
    proposed_on: date | None = None


class VoteMotion(CommandBody):
    motion_id: str = Field(pattern=ID)
    text: str = Field(
        examples=["同意3号楼加装电梯，费用按楼层分摊。"],
        min_length=1,
        max_length=2000,
        json_schema_extra=MULTILINE,
    )
    issue_id: str | None = Field(default=None, pattern=ID)
    voted_on: date | None = Field(default=None, description="the meeting's date if absent")
    votes_for: int = Field(ge=0, le=10000)
    votes_against: int = Field(ge=0, le=10000)
    abstentions: int = Field(default=0, ge=0, le=10000)
    members_present: int | None = Field(
        default=None, ge=0, le=10000, description="as held, if absent"
    )


class AdoptResolution(CommandBody):
    resolution_id: str = Field(pattern=ID)
    motion_id: str = Field(pattern=ID)
    text: str = Field(
        examples=["同意3号楼加装电梯，费用按楼层分摊。"],
        min_length=1,
        max_length=2000,
        json_schema_extra=MULTILINE,
    )
    adopted_on: date | None = None


# ── action items ──


class AssignActionItem(CommandBody):
    action_id: str = Field(pattern=ID)
    title: str = Field(examples=["联系电梯公司出具报价"], min_length=1, max_length=500)
    resolution_id: str | None = Field(default=None, pattern=ID)
    issue_id: str | None = Field(default=None, pattern=ID)
    owner_role: ParticipantRole
    owner_unit: str | None = Field(examples=["福东社区居委会"], default=None, max_length=100)
    owner_name: str | None = Field(
        default=None, max_length=50, description="sealed; never published"
    )
    assigned_on: date | None = None
    due_on: date


class CompleteActionItem(CommandBody):
    done_on: date | None = None
    note: str | None = Field(
        examples=["报价已张贴公示"], default=None, max_length=2000, json_schema_extra=MULTILINE
    )


# ── volunteers ──


class EnrollVolunteer(CommandBody):
    volunteer_id: str | None = Field(default=None, pattern=ID, description="generated when absent")
    name: str = Field(min_length=1, max_length=50, description="sealed; never published")
    phone: str | None = Field(default=None, pattern=VOLUNTEER_PHONE, description="sealed")
    category: VolunteerCategory
    affiliation: str | None = Field(
        examples=["兰州城市学院社会工作专业"], default=None, max_length=100
    )
    skills: list[str] = Field(default_factory=list, max_length=30)
    enrolled_on: date | None = None


class RecordTraining(CommandBody):
    training_id: str = Field(pattern=ID)
    title: str = Field(examples=["志愿服务共学坊：入户探访技巧"], min_length=1, max_length=200)
    attended_on: date
    minutes: int | None = Field(default=None, ge=1, le=1440)
    meeting_id: str | None = Field(default=None, pattern=ID)


class CheckIn(CommandBody):
    session_id: str | None = Field(default=None, pattern=ID, description="generated when absent")
    checked_in_at: AwareDatetime
    activity: str = Field(examples=["助老陪伴"], min_length=1, max_length=200)
    meeting_id: str | None = Field(default=None, pattern=ID)


class CheckOut(CommandBody):
    checked_out_at: AwareDatetime


# ── certificates ──


class IssueCertificate(CommandBody):
    period_from: date | None = Field(
        default=None, description="first session date; earliest if absent"
    )
    period_to: date | None = Field(default=None, description="last session date; latest if absent")
    include_auto_closed: bool = Field(
        default=False, description="count sessions closed at the limit"
    )
    issued_on: date | None = None

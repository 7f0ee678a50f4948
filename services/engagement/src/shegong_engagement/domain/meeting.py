"""The meeting aggregate: scheduled, then held or cancelled; deliberation rides on its stream.

    (none) ─schedule→ scheduled ─hold→ held
                      scheduled ─cancel→ cancelled

Issues and action items may come before or after the meeting is held, never once it is
cancelled; motions are voted, and become resolutions, only at a held meeting
(`deliberation`, `action_items`). Every command but scheduling names a meeting that exists at
the station (else MeetingNotFound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from shegong_events import DomainEvent, Envelope
from shegong_events.engagement import (
    CoOrganiser,
    MeetingCancelled,
    MeetingHeld,
    MeetingKind,
    MeetingScheduled,
    Outcome,
    ParticipantGroup,
    QuorumRule,
    Topic,
)
from shegong_runtime.decider import Decider

from shegong_engagement.domain import action_items, deliberation, facts
from shegong_engagement.domain.action_items import ActionItem, evolve_action_items
from shegong_engagement.domain.deliberation import Motion, evolve_deliberation
from shegong_engagement.domain.errors import (
    MeetingAlreadyHeld,
    MeetingAlreadyScheduled,
    MeetingNotFound,
    MeetingWasCancelled,
    MembersPresentExceedTotal,
    ParticipantsByRoleExceedTotal,
)

Status = Literal["none", "scheduled", "held", "cancelled"]


@dataclass(frozen=True)
class Meeting:
    status: Status = "none"
    station_id: str = ""
    kind: MeetingKind = "other"
    title: str = ""
    theme: str | None = None
    venue: str | None = None
    co_organisers: tuple[CoOrganiser, ...] = ()
    model_station_id: str | None = None
    scheduled_on: date | None = None
    held_on: date | None = None
    members_total: int | None = None
    members_present: int | None = None
    quorum_rule: QuorumRule | None = None
    issues: frozenset[str] = frozenset()
    motions: dict[str, Motion] = field(default_factory=dict)
    resolutions: frozenset[str] = frozenset()
    actions: dict[str, ActionItem] = field(default_factory=dict)

    def require_open(self) -> None:
        """Not cancelled: issues and action items may come before or after the meeting."""
        if self.status == "cancelled":
            raise MeetingWasCancelled("会议已取消")


ADDRESS = ("station_id", "meeting_id")


@dataclass(frozen=True)
class Schedule:
    station_id: str
    meeting_id: str
    kind: MeetingKind
    title: str
    scheduled_on: date
    theme: str | None = None
    venue: str | None = None
    co_organisers: tuple[CoOrganiser, ...] = ()
    planned_topics: tuple[Topic, ...] = ()
    members_total: int | None = None
    quorum_rule: QuorumRule | None = None
    model_station_id: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Hold:
    """Absent facts (None) are the scheduled ones."""

    station_id: str
    meeting_id: str
    held_on: date
    title: str | None = None
    theme: str | None = None
    venue: str | None = None
    format: str | None = None
    co_organisers: tuple[CoOrganiser, ...] | None = None
    participants_total: int | None = None
    participant_groups: tuple[ParticipantGroup, ...] = ()
    topics: tuple[Topic, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    members_total: int | None = None
    members_present: int | None = None
    model_station_id: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Cancel:
    station_id: str
    meeting_id: str
    reason: str
    today: date
    cancelled_on: date | None = None


MeetingCommand = (
    Schedule
    | Hold
    | Cancel
    | deliberation.Propose
    | deliberation.Vote
    | deliberation.Adopt
    | action_items.Assign
    | action_items.Complete
)


def evolve_meeting(state: Meeting, event: DomainEvent, envelope: Envelope) -> Meeting:
    if isinstance(event, MeetingScheduled):
        return replace(
            state,
            status="scheduled",
            station_id=envelope.station_id,
            kind=event.kind,
            title=event.title,
            theme=event.theme,
            venue=event.venue,
            scheduled_on=event.scheduled_on,
            co_organisers=tuple(event.co_organisers),
            model_station_id=event.model_station_id,
            members_total=event.members_total,
            quorum_rule=event.quorum_rule,
        )
    if isinstance(event, MeetingHeld):
        return replace(
            state,
            status="held",
            title=event.title,
            held_on=event.held_on,
            members_total=event.members_total,
            members_present=event.members_present,
        )
    if isinstance(event, MeetingCancelled):
        return replace(state, status="cancelled")
    return state


def require_meeting(state: Meeting, station_id: str, meeting_id: str) -> None:
    if state.status == "none" or state.station_id != station_id:
        raise MeetingNotFound(f"社工站 {station_id} 没有会议 {meeting_id}")


def schedule(state: Meeting, cmd: Schedule) -> list[DomainEvent]:
    if state.status != "none":
        raise MeetingAlreadyScheduled(f"会议 {cmd.meeting_id} 已安排", field="meeting_id")
    return [MeetingScheduled(**facts(cmd, *ADDRESS))]


def hold(state: Meeting, cmd: Hold) -> list[DomainEvent]:
    meeting_id = cmd.meeting_id
    if state.status == "held":
        raise MeetingAlreadyHeld(f"会议 {meeting_id} 已于 {state.held_on} 召开")
    state.require_open()
    counted = sum(g.count or 0 for g in cmd.participant_groups)
    if cmd.participants_total is not None and counted > cmd.participants_total:
        raise ParticipantsByRoleExceedTotal(
            f"按身份合计 {counted} 人，多于参会总人数 {cmd.participants_total}",
            field="participant_groups",
        )
    members_total = cmd.members_total or state.members_total
    if members_total is not None and (cmd.members_present or 0) > members_total:
        raise MembersPresentExceedTotal(
            f"实到 {cmd.members_present} 人多于应到 {members_total} 人", field="members_present"
        )
    scheduled = {
        "title": state.title,
        "theme": state.theme,
        "venue": state.venue,
        "co_organisers": list(state.co_organisers),
        "model_station_id": state.model_station_id,
    }
    given = {k: v for k, v in facts(cmd, *ADDRESS).items() if v is not None}
    return [
        MeetingHeld(**{**scheduled, **given, "kind": state.kind, "members_total": members_total})
    ]


def cancel(state: Meeting, cmd: Cancel) -> list[DomainEvent]:
    meeting_id = cmd.meeting_id
    if state.status == "held":
        raise MeetingAlreadyHeld(f"会议 {meeting_id} 已于 {state.held_on} 召开，不能取消")
    state.require_open()
    assert state.scheduled_on is not None
    return [
        MeetingCancelled(
            kind=state.kind,
            title=state.title,
            scheduled_on=state.scheduled_on,
            cancelled_on=cmd.cancelled_on or cmd.today,
            reason=cmd.reason,
        )
    ]


class MeetingDecider(Decider[MeetingCommand, Meeting]):
    aggregate_type = "meeting"

    def initial(self) -> Meeting:
        return Meeting()

    def evolve(self, state: Meeting, event: DomainEvent, envelope: Envelope) -> Meeting:
        state = evolve_meeting(state, event, envelope)
        return evolve_action_items(evolve_deliberation(state, event), event)

    def decide(self, command: MeetingCommand, state: Meeting) -> Sequence[DomainEvent]:
        if isinstance(command, Schedule):
            return schedule(state, command)
        require_meeting(state, command.station_id, command.meeting_id)
        match command:
            case Hold():
                return hold(state, command)
            case Cancel():
                return cancel(state, command)
            case deliberation.Propose() | deliberation.Vote() | deliberation.Adopt():
                return deliberation.decide(command, state)
            case _:
                return action_items.decide(command, state)


MEETING = MeetingDecider()

"""The erasure deciders of the engagement service's data subjects (PIPL): a volunteer (name and
phone; hours and certificates stay, nameless) and a name recorded at a meeting (an issue's
proposer, an action item's owner). Each folds its aggregate as the aggregate's own decider does
and decides only the erasure, so that an erasure never rides on the aggregate's command set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shegong_events import DomainEvent, Envelope
from shegong_events.engagement import MeetingNameErased, VolunteerErased
from shegong_runtime.decider import Decider

from shegong_engagement.domain.errors import ActionItemNotFound, IssueNotFound
from shegong_engagement.domain.meeting import MEETING, Meeting, require_meeting
from shegong_engagement.domain.volunteer import VOLUNTEER, Volunteer, require_volunteer


@dataclass(frozen=True, kw_only=True)
class EraseVolunteer:
    station_id: str
    volunteer_id: str
    reason: str
    erased_at: datetime


@dataclass(frozen=True, kw_only=True)
class EraseMeetingName:
    """Exactly one of `issue_id` (its proposer) and `action_id` (its owner)."""

    station_id: str
    meeting_id: str
    issue_id: str | None = None
    action_id: str | None = None
    reason: str
    erased_at: datetime


class VolunteerErasure(Decider[EraseVolunteer, Volunteer]):
    aggregate_type = VOLUNTEER.aggregate_type

    def initial(self) -> Volunteer:
        return VOLUNTEER.initial()

    def evolve(self, state: Volunteer, event: DomainEvent, envelope: Envelope) -> Volunteer:
        return VOLUNTEER.evolve(state, event, envelope)

    def decide(self, command: EraseVolunteer, state: Volunteer) -> list[DomainEvent]:
        require_volunteer(state, command.station_id, command.volunteer_id)
        return [VolunteerErased(reason=command.reason, erased_at=command.erased_at)]


class MeetingNameErasure(Decider[EraseMeetingName, Meeting]):
    aggregate_type = MEETING.aggregate_type

    def initial(self) -> Meeting:
        return MEETING.initial()

    def evolve(self, state: Meeting, event: DomainEvent, envelope: Envelope) -> Meeting:
        return MEETING.evolve(state, event, envelope)

    def decide(self, command: EraseMeetingName, state: Meeting) -> list[DomainEvent]:
        require_meeting(state, command.station_id, command.meeting_id)
        if command.issue_id is not None and command.issue_id not in state.issues:
            raise IssueNotFound(f"会议 {command.meeting_id} 没有议题 {command.issue_id}")
        if command.action_id is not None and command.action_id not in state.actions:
            raise ActionItemNotFound(f"会议 {command.meeting_id} 没有行动事项 {command.action_id}")
        return [
            MeetingNameErased(
                issue_id=command.issue_id,
                action_id=command.action_id,
                reason=command.reason,
                erased_at=command.erased_at,
            )
        ]


VOLUNTEER_ERASURE, MEETING_NAME_ERASURE = VolunteerErasure(), MeetingNameErasure()

"""How each aggregate type folds its events: meetings (with their deliberation) and volunteers."""

from __future__ import annotations

from shegong_events import DomainEvent, Envelope
from shegong_runtime.commands import Aggregate

from shegong_engagement.domain.action_items import evolve_action_items
from shegong_engagement.domain.deliberation import evolve_deliberation
from shegong_engagement.domain.meeting import Meeting, evolve_meeting
from shegong_engagement.domain.volunteer import Volunteer, evolve_volunteer


class MeetingAggregate(Aggregate[Meeting]):
    aggregate_type = "meeting"

    def initial(self) -> Meeting:
        return Meeting()

    def evolve(self, state: Meeting, event: DomainEvent, envelope: Envelope) -> Meeting:
        state = evolve_meeting(state, event, envelope)
        return evolve_action_items(evolve_deliberation(state, event), event)


class VolunteerAggregate(Aggregate[Volunteer]):
    aggregate_type = "volunteer"

    def initial(self) -> Volunteer:
        return Volunteer()

    def evolve(self, state: Volunteer, event: DomainEvent, envelope: Envelope) -> Volunteer:
        return evolve_volunteer(state, event, envelope)


MEETING = MeetingAggregate()
VOLUNTEER = VolunteerAggregate()

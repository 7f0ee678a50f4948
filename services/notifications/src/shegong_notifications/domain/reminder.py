"""The reminder aggregate: a timer a rule set for one source event, scheduled once.

The planner decides whether a reminder is due at all (timing, cancellations, superseding);
its stream records that it was scheduled, so the audit says when each reminder was set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shegong_events import DomainEvent
from shegong_events.notifications import ReminderScheduled
from shegong_runtime.decider import Decider


@dataclass(frozen=True)
class ScheduleReminder:
    reminder_id: str
    rule_id: str
    subject_key: str
    source_event_id: str
    source_event_type: str
    fire_at: datetime


@dataclass(frozen=True)
class ReminderState:
    scheduled: bool = False


class ReminderDecider(Decider[ScheduleReminder, ReminderState]):
    aggregate_type = "reminder"

    def initial(self) -> ReminderState:
        return ReminderState()

    def evolve(self, state: ReminderState, event: DomainEvent) -> ReminderState:
        return ReminderState(scheduled=True) if isinstance(event, ReminderScheduled) else state

    def decide(self, command: ScheduleReminder, state: ReminderState) -> list[DomainEvent]:
        """Scheduling again (a replayed source event) records nothing new."""
        if state.scheduled:
            return []
        return [
            ReminderScheduled(
                reminder_id=command.reminder_id,
                rule_id=command.rule_id,
                subject_key=command.subject_key,
                source_event_id=command.source_event_id,
                source_event_type=command.source_event_type,
                fire_at=command.fire_at,
            )
        ]


REMINDER = ReminderDecider()

"""One planned notification's history: attempts, sent or dead, redriven, read."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import (
    NotificationFailed,
    NotificationRead,
    NotificationRedriven,
    NotificationSent,
)
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, NotFound


class NotificationNotFound(NotFound):
    """No notification with this id reached the caller."""


class NotificationNotDead(Conflict):
    """Only a dead notification (out of attempts) can be sent again."""


@dataclass(frozen=True)
class NotificationState:
    sent: bool = False
    dead: bool = False
    read: bool = False


class NotificationAggregate(Aggregate[NotificationState]):
    aggregate_type = "notification"

    def initial(self) -> NotificationState:
        return NotificationState()

    def evolve(self, state: NotificationState, event: DomainEvent, envelope: Envelope) -> NotificationState:
        if isinstance(event, NotificationSent):
            return replace(state, sent=True, dead=False)
        if isinstance(event, NotificationFailed):
            return replace(state, dead=event.dead)
        if isinstance(event, NotificationRedriven):
            return replace(state, dead=False)
        if isinstance(event, NotificationRead):
            return replace(state, read=True)
        return state


def mark_read(state: NotificationState, delivery_id: str, recipient_id: str) -> list[DomainEvent]:
    """Reading twice changes nothing the second time."""
    if not state.sent:
        raise NotificationNotFound(f"no notification {delivery_id} in this inbox")
    return [] if state.read else [NotificationRead(delivery_id=delivery_id, recipient_id=recipient_id)]


def redrive(state: NotificationState, delivery_id: str) -> list[DomainEvent]:
    if not state.dead:
        raise NotificationNotDead(f"notification {delivery_id} is not dead")
    return [NotificationRedriven(delivery_id=delivery_id)]

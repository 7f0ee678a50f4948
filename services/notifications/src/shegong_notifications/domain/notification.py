"""One planned notification's history: attempts, sent or dead, redriven, read.

    pending --RecordAttempt(sent)--> sent --MarkRead--> read
    pending --RecordAttempt(failed)--> pending, or dead when no attempt is left
    dead --Redrive--> pending

Attempts are recorded by the courier in the transaction that claimed the delivery; reading and
redriving come from people over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import (
    Channel,
    NotificationFailed,
    NotificationRead,
    NotificationRedriven,
    NotificationSent,
)
from shegong_runtime.decider import Decider
from shegong_runtime.errors import Conflict, NotFound


class NotificationNotFound(NotFound):
    """No notification with this id reached the caller."""


class NotificationNotDead(Conflict):
    """Only a dead notification (out of attempts) can be sent again."""


@dataclass(frozen=True)
class Attempt:
    """What every attempt at one delivery names: the notification, its rule and addressee."""

    delivery_id: str
    rule_id: str
    recipient_id: str
    channel: Channel
    attempt: int


@dataclass(frozen=True)
class RecordSent:
    attempt: Attempt
    template_id: str
    source_event_id: str
    source_event_type: str
    title: str
    body: str


@dataclass(frozen=True)
class RecordFailure:
    attempt: Attempt
    reason: str
    dead: bool
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class MarkRead:
    delivery_id: str
    recipient_id: str


@dataclass(frozen=True)
class Redrive:
    delivery_id: str


Command = RecordSent | RecordFailure | MarkRead | Redrive


@dataclass(frozen=True)
class NotificationState:
    sent: bool = False
    dead: bool = False
    read: bool = False


class NotificationDecider(Decider[Command, NotificationState]):
    aggregate_type = "notification"

    def initial(self) -> NotificationState:
        return NotificationState()

    def evolve(
        self, state: NotificationState, event: DomainEvent, envelope: Envelope
    ) -> NotificationState:
        if isinstance(event, NotificationSent):
            return replace(state, sent=True, dead=False)
        if isinstance(event, NotificationFailed):
            return replace(state, dead=event.dead)
        if isinstance(event, NotificationRedriven):
            return replace(state, dead=False)
        if isinstance(event, NotificationRead):
            return replace(state, read=True)
        return state

    def decide(self, command: Command, state: NotificationState) -> list[DomainEvent]:
        match command:
            case RecordSent(attempt=a):
                return [
                    NotificationSent(
                        delivery_id=a.delivery_id,
                        rule_id=a.rule_id,
                        template_id=command.template_id,
                        recipient_id=a.recipient_id,
                        channel=a.channel,
                        source_event_id=command.source_event_id,
                        source_event_type=command.source_event_type,
                        attempt=a.attempt,
                        title=command.title,
                        body=command.body,
                    )
                ]
            case RecordFailure(attempt=a):
                return [
                    NotificationFailed(
                        delivery_id=a.delivery_id,
                        rule_id=a.rule_id,
                        recipient_id=a.recipient_id,
                        channel=a.channel,
                        attempt=a.attempt,
                        reason=command.reason,
                        dead=command.dead,
                        next_attempt_at=None if command.dead else command.next_attempt_at,
                    )
                ]
            case MarkRead(delivery_id=did, recipient_id=rid):
                if not state.sent:
                    raise NotificationNotFound(f"此收件箱没有通知 {did}")
                return (
                    [] if state.read else [NotificationRead(delivery_id=did, recipient_id=rid)]
                )  # reading twice: nothing new
            case Redrive(delivery_id=did):
                if not state.dead:
                    raise NotificationNotDead(f"通知 {did} 不在死信中")
                return [NotificationRedriven(delivery_id=did)]
        raise TypeError(f"not a notification command: {command!r}")


NOTIFICATION = NotificationDecider()

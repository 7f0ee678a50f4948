"""The recipient aggregate: a member of the directory, their addresses and subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import (
    RecipientErased,
    RecipientRegistered,
    RecipientRemoved,
    RecipientUpdated,
    SubscriptionSet,
)
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, DomainError, NotFound


class RecipientAlreadyRegistered(Conflict):
    """A recipient id is registered once."""


class RecipientNotFound(NotFound):
    """No recipient has this id (or they were removed)."""


class ScopeDoesNotFitRole(DomainError):
    """District officers belong to a district, every other role to a station."""


class ChannelHasNoAddress(DomainError):
    """Email needs an email address and webhook a URL before a subscription can use them."""


@dataclass(frozen=True)
class RecipientState:
    registered: bool = False
    removed: bool = False
    has_email: bool = False
    has_webhook: bool = False


class RecipientAggregate(Aggregate[RecipientState]):
    aggregate_type = "recipient"

    def initial(self) -> RecipientState:
        return RecipientState()

    def evolve(self, state: RecipientState, event: DomainEvent, envelope: Envelope) -> RecipientState:
        if isinstance(event, RecipientRegistered):
            return RecipientState(True, False, event.email_sealed is not None, event.webhook_url is not None)
        if isinstance(event, RecipientUpdated):
            return replace(
                state,
                has_email=state.has_email or event.email_sealed is not None,
                has_webhook=state.has_webhook or event.webhook_url is not None,
            )
        if isinstance(event, RecipientRemoved | RecipientErased):
            return replace(state, removed=True)
        return state


def register(state: RecipientState, event: RecipientRegistered) -> list[DomainEvent]:
    if state.registered:
        raise RecipientAlreadyRegistered(f"recipient {event.recipient_id} is already registered", field="recipient_id")
    if (event.role == "district_officer") != (event.station_id is None):
        raise ScopeDoesNotFitRole(
            f"a {event.role} is registered with {'a district' if event.role == 'district_officer' else 'a station'}",
            field="station_id",
        )
    return [event]


def _existing(state: RecipientState, recipient_id: str) -> None:
    if not state.registered or state.removed:
        raise RecipientNotFound(f"no recipient {recipient_id}")


def update(state: RecipientState, recipient_id: str, event: RecipientUpdated) -> list[DomainEvent]:
    _existing(state, recipient_id)
    return [event]


def remove(state: RecipientState, recipient_id: str) -> list[DomainEvent]:
    _existing(state, recipient_id)
    return [RecipientRemoved()]


def erase(state: RecipientState, recipient_id: str, event: RecipientErased) -> list[DomainEvent]:
    """A removed recipient can still be erased: their sealed addresses outlive the removal."""
    if not state.registered:
        raise RecipientNotFound(f"no recipient {recipient_id}")
    return [event]


def subscribe(state: RecipientState, recipient_id: str, event: SubscriptionSet) -> list[DomainEvent]:
    _existing(state, recipient_id)
    if (event.channel == "email" and not state.has_email) or (event.channel == "webhook" and not state.has_webhook):
        raise ChannelHasNoAddress(f"recipient {recipient_id} has no {event.channel} address", field="channel")
    return [event]

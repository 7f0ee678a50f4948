"""The recipient aggregate: a member of the directory, their addresses and subscriptions.

    (none) --RegisterRecipient--> registered --RemoveRecipient--> removed
    registered: UpdateRecipient, SetSubscription;  registered or removed --EraseRecipient--> erased

Names, emails and webhook secrets arrive sealed under the person's key: the caller seals them
(sealing needs the key store), the decider only decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from shegong_events import DomainEvent, Envelope
from shegong_events.erasure import ErasureReason
from shegong_events.notifications import (
    AudienceRole,
    Channel,
    RecipientErased,
    RecipientRegistered,
    RecipientRemoved,
    RecipientUpdated,
    SubscriptionSet,
)
from shegong_runtime.decider import Decider
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
class Addresses:
    """How the events carry a person's addresses: name, email and secret sealed."""

    name_sealed: str | None = None
    email_sealed: str | None = None
    webhook_url: str | None = None
    webhook_secret_sealed: str | None = None


@dataclass(frozen=True)
class RegisterRecipient:
    recipient_id: str
    role: AudienceRole
    station_id: str | None
    district_id: str
    addresses: Addresses = Addresses()
    refs: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class UpdateRecipient:
    recipient_id: str
    addresses: Addresses = Addresses()
    refs: Sequence[str] | None = None


@dataclass(frozen=True)
class RemoveRecipient:
    recipient_id: str


@dataclass(frozen=True)
class EraseRecipient:
    recipient_id: str
    reason: ErasureReason
    erased_at: datetime


@dataclass(frozen=True)
class SetSubscription:
    recipient_id: str
    topic: str
    channel: Channel | Literal["none"]


Command = RegisterRecipient | UpdateRecipient | RemoveRecipient | EraseRecipient | SetSubscription


@dataclass(frozen=True)
class RecipientState:
    registered: bool = False
    removed: bool = False
    has_email: bool = False
    has_webhook: bool = False


def data_subject(recipient_id: str) -> str:
    """The id under which a recipient's key seals their name, email and webhook secret."""
    return f"recipient:{recipient_id}"


def must_fit_role(role: str, station_id: str | None) -> None:
    """District officers are registered with a district, every other role with a station."""
    if (role == "district_officer") != (station_id is None):
        raise ScopeDoesNotFitRole(
            "区民政局人员按区县（district_id）登记，其他角色按社工站（station_id）登记",
            field="station_id",
        )


def _must_be_listed(state: RecipientState, recipient_id: str) -> None:
    if not state.registered or state.removed:
        raise RecipientNotFound(f"没有接收人 {recipient_id}")


class RecipientDecider(Decider[Command, RecipientState]):
    aggregate_type = "recipient"

    def initial(self) -> RecipientState:
        return RecipientState()

    def evolve(
        self, state: RecipientState, event: DomainEvent, envelope: Envelope
    ) -> RecipientState:
        if isinstance(event, RecipientRegistered):
            return RecipientState(
                True, False, event.email_sealed is not None, event.webhook_url is not None
            )
        if isinstance(event, RecipientUpdated):
            return replace(
                state,
                has_email=state.has_email or event.email_sealed is not None,
                has_webhook=state.has_webhook or event.webhook_url is not None,
            )
        if isinstance(event, RecipientRemoved | RecipientErased):
            return replace(state, removed=True)
        return state

    def decide(self, command: Command, state: RecipientState) -> list[DomainEvent]:
        match command:
            case RegisterRecipient(recipient_id=rid):
                if state.registered:
                    raise RecipientAlreadyRegistered(f"接收人 {rid} 已登记", field="recipient_id")
                must_fit_role(command.role, command.station_id)
                return [
                    RecipientRegistered(
                        recipient_id=rid,
                        role=command.role,
                        station_id=command.station_id,
                        district_id=command.district_id,
                        refs=list(command.refs),
                        **vars(command.addresses),
                    )
                ]
            case UpdateRecipient(recipient_id=rid, addresses=addresses, refs=refs):
                _must_be_listed(state, rid)
                return [
                    RecipientUpdated(refs=None if refs is None else list(refs), **vars(addresses))
                ]
            case RemoveRecipient(recipient_id=rid):
                _must_be_listed(state, rid)
                return [RecipientRemoved()]
            case EraseRecipient(recipient_id=rid, reason=reason, erased_at=erased_at):
                # a removed recipient can still be erased: their sealed addresses outlive the removal
                if not state.registered:
                    raise RecipientNotFound(f"没有接收人 {rid}")
                return [RecipientErased(reason=reason, erased_at=erased_at)]
            case SetSubscription(recipient_id=rid, topic=topic, channel=channel):
                _must_be_listed(state, rid)
                if (channel == "email" and not state.has_email) or (
                    channel in ("wecom", "dingtalk")  # a group robot's, never a person's
                    or channel == "webhook"
                    and not state.has_webhook
                ):
                    raise ChannelHasNoAddress(f"接收人 {rid} 没有 {channel} 地址", field="channel")
                return [SubscriptionSet(topic=topic, channel=channel)]
        raise TypeError(f"not a recipient command: {command!r}")


RECIPIENT = RecipientDecider()

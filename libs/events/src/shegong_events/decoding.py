"""Decoding a message of a Shegong stream into a typed event, for any subscriber.

`decode(message_body)` validates the envelope, upcasts the event to the version this catalogue
knows as current (so a replay of old history reads like today's events) and validates its data
into the event's pydantic model. An event type this catalogue does not know (a newer publisher)
is not an error: it is passed through as its raw envelope, `event` None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shegong_events.all import load_all
from shegong_events.catalog import UnknownEventType
from shegong_events.envelope import DomainEvent, Envelope


@dataclass(frozen=True)
class Delivered:
    """An event as a subscriber receives it: the envelope (ids, causality, station) and the
    typed domain fact, or None when the type is unknown here."""

    envelope: Envelope
    event: DomainEvent | None

    @property
    def known(self) -> bool:
        return self.event is not None


def decode(message: bytes | str | dict[str, Any] | Envelope) -> Delivered:
    """The typed event in a message body (raises pydantic's ValidationError on a broken envelope)."""
    catalog = load_all()
    if isinstance(message, Envelope):
        envelope = message
    elif isinstance(message, dict):
        envelope = Envelope.model_validate(message)
    else:
        envelope = Envelope.model_validate_json(message)
    try:
        current = catalog.upcast(envelope)
        return Delivered(current, catalog.decode(current))
    except UnknownEventType:
        return Delivered(envelope, None)

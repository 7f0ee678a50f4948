"""From a stream message to an event this release can apply, or the reason it cannot.

Two reasons, handled apart by the runner: a message no catalog will ever decode
(`Undecodable`, dead-lettered at once) and an event a newer release publishes (`NotYetKnown`,
parked until a release that knows it starts).
"""

from __future__ import annotations

from nats.aio.msg import Msg
from pydantic import ValidationError
from shegong_events import CATALOG, Envelope, UnknownEventType


class Undecodable(Exception):
    """The message is not an event this catalog can decode: retrying will not help."""


class NotYetKnown(Exception):
    """An event this release's catalog does not know (a type or schema version a newer release
    publishes): parked until a release that knows it applies it, never dead-lettered."""

    def __init__(self, envelope: Envelope, reason: str) -> None:
        super().__init__(reason)
        self.envelope = envelope


def decode(msg: Msg) -> Envelope:
    """The message's event, upcast to the version this release applies."""
    try:
        envelope = Envelope.model_validate_json(msg.data)
    except (ValidationError, ValueError) as exc:
        raise Undecodable(str(exc)[:500]) from exc
    try:
        return CATALOG.upcast(envelope)
    except UnknownEventType as exc:
        raise NotYetKnown(envelope, str(exc)[:500]) from exc
    except (ValidationError, ValueError) as exc:
        raise Undecodable(str(exc)[:500]) from exc


def causality(msg: Msg) -> dict[str, str]:
    """The event's correlation id, and the event itself as the cause of what is logged next."""
    try:
        event = Envelope.model_validate_json(msg.data)
    except ValidationError:
        return {"stream_seq": str(msg.metadata.sequence.stream)}
    return {"correlation_id": str(event.correlation_id), "causation_id": str(event.event_id)}

"""What every channel is given and how it reports a failed attempt."""

from __future__ import annotations

from dataclasses import dataclass


class DeliveryFailed(Exception):
    """The attempt failed. `permanent` when retrying cannot help (a refused address, a 4xx)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One notification on its way: the text, and the recipient's address opened for sending."""

    delivery_id: str
    rule_id: str
    template_id: str
    recipient_id: str
    station_id: str
    source_event_id: str
    source_event_type: str
    title: str
    body: str
    attempt: int
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None

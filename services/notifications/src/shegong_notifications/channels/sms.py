"""SMS (短信) behind a provider interface. SMS travels unencrypted, so what is sent is the
template's title alone (templates carry no personal data), and the default provider sends
nothing: it logs that a message would go, by delivery and recipient id, never a number or text.

A real provider (a carrier's or a cloud SMS gateway) implements `SmsProvider` and looks the
recipient's number up itself; the directory keeps none today.
"""

from __future__ import annotations

from typing import Protocol

from shegong_runtime import logging

from shegong_notifications.channels.base import Outgoing

log = logging.get("notifications.sms")


class SmsProvider(Protocol):
    async def send(self, recipient_id: str, text: str, delivery_id: str) -> None:
        """Send or raise `DeliveryFailed` (permanent when a retry cannot help)."""


class LogOnly:
    """The default: records that the message would be sent, and nothing of its content."""

    sent: list[str]

    def __init__(self) -> None:
        self.sent = []

    async def send(self, recipient_id: str, text: str, delivery_id: str) -> None:
        self.sent.append(delivery_id)
        log.info("sms.logged", delivery_id=delivery_id, recipient_id=recipient_id, chars=len(text))


PROVIDERS: dict[str, type] = {"log": LogOnly}


def text_of(title: str) -> str:
    return f"【社工站】{title}"[:70]  # one SMS segment


def text(n: Outgoing) -> str:
    return text_of(n.title)


async def send(provider: SmsProvider, n: Outgoing) -> None:
    await provider.send(n.recipient_id, text(n), n.delivery_id)

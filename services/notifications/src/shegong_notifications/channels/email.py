"""Email over SMTP (stdlib smtplib in a worker thread). The Message-ID is the delivery id, so
a resend after a crash is recognisably the same message."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from shegong_notifications.channels.base import DeliveryFailed, Outgoing
from shegong_notifications.config import NotificationsSettings


def message(n: Outgoing, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = n.email or ""
    msg["Subject"] = n.title
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{n.delivery_id}@shegong>"
    msg["X-Shegong-Delivery"] = n.delivery_id
    msg.set_content(
        n.body + "\n\n（本邮件由社工站通知服务自动发送，请勿直接回复。）\n", charset="utf-8"
    )
    return msg


def _send(n: Outgoing, settings: NotificationsSettings) -> None:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s
    ) as smtp:
        smtp.send_message(message(n, settings.smtp_sender))


async def send(n: Outgoing, settings: NotificationsSettings) -> None:
    if not n.email:
        raise DeliveryFailed("no email address", permanent=True)
    try:
        await asyncio.to_thread(_send, n, settings)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryFailed(
            f"SMTP recipient refused {codes}", permanent=all(c >= 500 for c in codes)
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"SMTP {exc.smtp_code}", permanent=exc.smtp_code >= 500) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(type(exc).__name__) from exc

"""Webhooks: a JSON POST signed with HMAC-SHA256 over the timestamp and the body.

Receivers check `X-Shegong-Signature: v1=<hex of HMAC(secret, "<timestamp>.<body>")>` and
refuse old timestamps (replayed requests); `X-Shegong-Delivery` is the same on every attempt
of one notification, so a receiver that saw it already can answer 2xx and do nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from shegong_notifications.channels.base import DeliveryFailed, Outgoing

SIGNATURE = "X-Shegong-Signature"
TIMESTAMP = "X-Shegong-Timestamp"
DELIVERY = "X-Shegong-Delivery"
RETRIABLE_4XX = {408, 409, 425, 429}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, tolerance_s: float = 300.0
) -> bool:
    """What a receiver does: a fresh timestamp and a signature that matches in constant time."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance_s
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(n: Outgoing) -> bytes:
    return json.dumps(
        {
            "delivery_id": n.delivery_id,
            "rule_id": n.rule_id,
            "template_id": n.template_id,
            "recipient_id": n.recipient_id,
            "station_id": n.station_id,
            "source_event_id": n.source_event_id,
            "source_event_type": n.source_event_type,
            "attempt": n.attempt,
            "title": n.title,
            "body": n.body,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode()


async def send(client: httpx.AsyncClient, n: Outgoing, default_secret: str) -> None:
    if not n.webhook_url:
        raise DeliveryFailed("no webhook URL", permanent=True)
    body = payload(n)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP: stamp,
        SIGNATURE: sign(n.webhook_secret or default_secret, stamp, body),
        DELIVERY: n.delivery_id,
        "Idempotency-Key": n.delivery_id,
    }
    try:
        r = await client.post(n.webhook_url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}") from exc
    if r.is_success:
        return
    permanent = 400 <= r.status_code < 500 and r.status_code not in RETRIABLE_4XX
    raise DeliveryFailed(f"HTTP {r.status_code}", permanent=permanent)

"""DingTalk (钉钉) custom robot: `POST <webhook url with access_token>` with a markdown message,
`{"msgtype": "markdown", "markdown": {"title", "text"}}`, as DingTalk documents it.

With a signing secret (加签), the URL also carries `timestamp` (milliseconds) and `sign`: the
base64 of HMAC-SHA256 keyed by the secret over `"<timestamp>\\n<secret>"`, URL-encoded; DingTalk
refuses a timestamp more than an hour off. Errcode 130101 (sending too fast) and -1 (busy) are
worth another try.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx

from shegong_notifications.channels import robots
from shegong_notifications.channels.base import DeliveryFailed, Outgoing

RETRIABLE = frozenset({-1, 130101})


def sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed(url: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={quote_plus(sign(secret, timestamp_ms))}"


def payload(n: Outgoing) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": n.title, "text": robots.markdown(n)}}


async def send(client: httpx.AsyncClient, n: Outgoing, url: str | None, secret: str | None) -> None:
    if not url:
        raise DeliveryFailed(
            f"no DingTalk robot for station {n.station_id} (SHEGONG_NOTIFICATIONS_DINGTALK_ROBOTS)",
            permanent=True,
        )
    stamped = signed(url, secret, int(time.time() * 1000))
    await robots.post(client, stamped, payload(n), "dingtalk", RETRIABLE)

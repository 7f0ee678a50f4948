"""WeCom (企业微信) group robot: `POST <webhook url with key>` with a markdown message, as
WeCom's group-robot documentation gives it: `{"msgtype": "markdown", "markdown": {"content"}}`.

The answer is `{"errcode": 0, "errmsg": "ok"}`; 45009 (too many messages a minute) and -1
(busy) are worth another try, any other errcode is not.
"""

from __future__ import annotations

import httpx

from shegong_notifications.channels import robots
from shegong_notifications.channels.base import DeliveryFailed, Outgoing

RETRIABLE = frozenset({-1, 45009})


def payload(n: Outgoing) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": robots.markdown(n)}}


async def send(client: httpx.AsyncClient, n: Outgoing, url: str | None) -> None:
    if not url:
        raise DeliveryFailed(
            f"no WeCom robot for station {n.station_id} (SHEGONG_NOTIFICATIONS_WECOM_ROBOTS)",
            permanent=True,
        )
    await robots.post(client, url, payload(n), "wecom", RETRIABLE)

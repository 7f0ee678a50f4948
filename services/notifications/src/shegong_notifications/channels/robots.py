"""Group robots (群机器人) of WeCom and DingTalk: which robot speaks for a station, and how the
vendors' answers read. A robot's URL carries its key and is a secret: it comes from the
environment, never from a request, and no log line or failure reason repeats it.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from shegong_notifications.channels.base import DeliveryFailed, Outgoing

MAX_MARKDOWN_BYTES = 4000  # WeCom takes 4096 bytes of markdown; DingTalk's limit is larger


def robot_for(robots: Mapping[str, str], station_id: str, district_id: str | None) -> str | None:
    """The station's own robot, else its district's, else the city-wide one (`*`)."""
    for scope in (station_id, district_id, "*"):
        if scope and scope in robots:
            return robots[scope]
    return None


def markdown(n: Outgoing) -> str:
    """The message as both vendors' markdown reads it: the title as a heading, then the body.
    Title and body come from the rule's template, which carries no personal data."""
    text = f"### {n.title}\n\n{n.body}\n\n> 社工站通知 · 编号 {n.delivery_id[:8]}"
    encoded = text.encode()
    if len(encoded) > MAX_MARKDOWN_BYTES:
        text = encoded[: MAX_MARKDOWN_BYTES - 3].decode(errors="ignore") + "…"
    return text


async def post(
    client: httpx.AsyncClient, url: str, body: dict, vendor: str, retriable: frozenset[int]
) -> None:
    """POST the vendor's JSON; success is HTTP 2xx with `errcode` 0 (both answer 200 to most
    refusals, so the errcode decides); `retriable` errcodes (rate limits, busy) go round again."""
    try:
        r = await client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{vendor}: {type(exc).__name__}") from exc
    if not r.is_success:
        raise DeliveryFailed(
            f"{vendor}: HTTP {r.status_code}",
            permanent=400 <= r.status_code < 500 and r.status_code != 429,
        )
    try:
        answer = r.json()
        code = int(answer.get("errcode", -1))
    except (ValueError, AttributeError):
        raise DeliveryFailed(f"{vendor}: the answer is not the robot's JSON") from None
    if code != 0:
        message = str(answer.get("errmsg", ""))[:120]
        raise DeliveryFailed(f"{vendor}: errcode {code} {message}", permanent=code not in retriable)

"""WeCom and DingTalk group robots and SMS as channels of notification rules, against local fake
servers that check what each vendor documents: the markdown message, and DingTalk's signed
timestamp (HMAC-SHA256 over "<timestamp>\\n<secret>", base64, URL-encoded)."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from shegong_notifications.channels import dingtalk, sms

from .helpers import (
    audit,
    dead,
    post,
    publish,
    sent,
    station_ids,
    station_known,
    urgent_need,
    urgent_need_rule,
)

WECOM_KEY = "wecom-robot-key-0001"
DING_TOKEN = "dingtalk-access-token-0001"
DING_SECRET = "SECdingtalk-signing-secret-0001"


@dataclass
class Robot:
    """A vendor's robot endpoint on a free port: records each message, answers `errcode`s as
    scripted (then 0), and for DingTalk checks the signature as DingTalk does."""

    secret: str | None = None
    messages: list[dict] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    errcodes: list[int] = field(default_factory=list)
    refused: int = 0
    port: int = 0

    async def start(self) -> "Robot":
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self.server = server
        return self

    def stop(self) -> None:
        self.server.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def signed_correctly(self, query: dict) -> bool:
        secret = self.secret
        assert secret is not None, "only a signing receiver checks signatures"
        stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3600_000:
            return False
        mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
        return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sign)

    async def _handle(self, reader, writer) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
        query = parse_qs(urlsplit(lines[0].split(" ")[1]).query)
        self.queries.append(query)
        if self.secret is not None and not self.signed_correctly(query):
            self.refused += 1
            answer = {"errcode": 310000, "errmsg": "sign not match"}
        else:
            self.messages.append(body)
            answer = {"errcode": self.errcodes.pop(0) if self.errcodes else 0, "errmsg": "ok"}
        out = json.dumps(answer).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (len(out), out)
        )
        await writer.drain()
        writer.close()


@pytest.fixture(scope="module")
async def robots():
    wecom, ding, wrong = (
        await Robot().start(),
        await Robot(DING_SECRET).start(),
        await Robot(DING_SECRET).start(),
    )
    yield {"wecom": wecom, "dingtalk": ding, "wrong": wrong}
    for r in (wecom, ding, wrong):
        r.stop()


@pytest.fixture(scope="module")
def service_env(robots: dict[str, Robot]) -> dict[str, str]:
    return {
        "SHEGONG_NOTIFICATIONS_WECOM_ROBOTS": json.dumps(
            {"*": robots["wecom"].url(f"/cgi-bin/webhook/send?key={WECOM_KEY}")}
        ),
        "SHEGONG_NOTIFICATIONS_DINGTALK_ROBOTS": json.dumps(
            {
                "*": robots["dingtalk"].url(f"/robot/send?access_token={DING_TOKEN}"),
                "wrong-secret": robots["wrong"].url(f"/robot/send?access_token={DING_TOKEN}"),
            }
        ),
        "SHEGONG_NOTIFICATIONS_DINGTALK_SECRETS": json.dumps(
            {"*": DING_SECRET, "wrong-secret": "SECnot-the-one"}
        ),
    }


async def test_a_wecom_group_gets_one_markdown_message_retried_past_a_rate_limit(
    notifications, admin, robots, nc, pool, unique
):
    station_id, district_id = station_ids(unique)
    await station_known(notifications, nc, station_id, district_id)
    rule_id, wecom = unique("rule"), robots["wecom"]
    wecom.errcodes[:] = [45009]  # too many messages this minute: worth another try
    await post(notifications, "/rules", urgent_need_rule(rule_id, station_id, "wecom"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)
    (row,) = await sent(pool, rule_id)
    assert (row["channel"], row["recipient_id"], row["attempts"]) == ("wecom", "wecom-group", 2)
    mine = [m for m in wecom.messages if row["title"] in m["markdown"]["content"]]
    assert len(mine) == 2 and mine[0] == mine[1]
    assert mine[0]["msgtype"] == "markdown" and set(mine[0]) == {"msgtype", "markdown"}
    assert mine[0]["markdown"]["content"].startswith(f"### {row['title']}\n\n{row['body']}")
    assert all(q["key"] == [WECOM_KEY] for q in wecom.queries)
    assert await audit(pool, row["delivery_id"]) == ["NotificationFailed", "NotificationSent"]


async def test_a_dingtalk_robot_with_a_secret_gets_a_signed_timestamp(
    notifications, admin, robots, nc, pool, unique
):
    station_id, district_id = station_ids(unique)
    await station_known(notifications, nc, station_id, district_id)
    rule_id, ding = unique("rule"), robots["dingtalk"]
    await post(notifications, "/rules", urgent_need_rule(rule_id, station_id, "dingtalk"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)
    (row,) = await sent(pool, rule_id)
    (message,) = [m for m in ding.messages if m["markdown"]["title"] == row["title"]]
    assert message == {
        "msgtype": "markdown",
        "markdown": {"title": row["title"], "text": message["markdown"]["text"]},
    }
    assert row["body"] in message["markdown"]["text"] and ding.refused == 0
    assert all(q["access_token"] == [DING_TOKEN] and ding.signed_correctly(q) for q in ding.queries)


async def test_a_dingtalk_signature_refused_is_dead_at_once_and_names_no_secret(
    notifications, admin, robots, nc, pool, unique
):
    station_id, _ = station_ids(unique)
    await station_known(notifications, nc, station_id, "wrong-secret")  # the district's robot
    rule_id = unique("rule")
    await post(notifications, "/rules", urgent_need_rule(rule_id, station_id, "dingtalk"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)
    row = await dead(pool, rule_id)
    assert row["attempts"] == 1 and "310000" in row["last_error"]  # permanent: no retry
    assert DING_TOKEN not in row["last_error"] and "SEC" not in row["last_error"]
    assert robots["wrong"].refused == 1


def test_the_signature_is_dingtalks_own_example_form():
    """DingTalk's documentation: sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\\n" + secret)))."""
    stamp, secret = 1_577_262_236_757, "SECxxxxxxxx"
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    url = dingtalk.signed("https://oapi.dingtalk.com/robot/send?access_token=T", secret, stamp)
    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["T"], "timestamp": [str(stamp)], "sign": [expected]}
    assert dingtalk.signed(
        "https://oapi.dingtalk.com/robot/send?access_token=T", None, stamp
    ).endswith("=T")


async def test_sms_goes_through_the_provider_that_only_logs_no_number_and_no_text(
    notifications, admin, nc, pool, unique, monkeypatch
):
    logged: list[dict] = []

    class Recording:
        def info(self, event, **fields):
            logged.append({"event": event, **fields})

    monkeypatch.setattr(sms, "log", Recording())
    station_id, district_id = station_ids(unique)
    await station_known(notifications, nc, station_id, district_id)
    lead, rule_id = unique("lead"), unique("rule")
    await post(
        notifications,
        "/recipients",
        {"recipient_id": lead, "role": "station_lead", "station_id": station_id},
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule_id, station_id, "sms"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)
    (row,) = await sent(pool, rule_id)
    assert (row["channel"], row["recipient_id"]) == ("sms", lead)
    (line,) = [entry for entry in logged if entry["delivery_id"] == str(row["delivery_id"])]
    assert line == {
        "event": "sms.logged",
        "delivery_id": str(row["delivery_id"]),
        "recipient_id": lead,
        "chars": len(sms.text_of(row["title"])),
    }  # which message, to whom by id, how long: no number, no text

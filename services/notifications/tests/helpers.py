"""Real servers for the notification tests: an HTTP receiver for webhooks, an SMTP server,
source events published onto the domain streams, and the service as its own process; and the
rules, recipients and source events the modules share (the fixtures are in `conftest.py`)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from shegong_events import DomainEvent, Envelope
from shegong_events.calendar import STATION_TZ
from shegong_events.subjects import subject_for
from shegong_events.visits import NeedCategory, NeedIdentified, Severity
from shegong_runtime import bus
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.http import open_stations, service_client

FAST = {
    "SHEGONG_NOTIFY_POLL_S": "0.05",
    "SHEGONG_NOTIFY_TIMER_POLL_S": "0.1",
    "SHEGONG_NOTIFY_RETRY_BASE_S": "0.05",
    "SHEGONG_NOTIFY_RETRY_CAP_S": "0.5",
    "SHEGONG_NOTIFY_MAX_ATTEMPTS": "5",
}


def today() -> date:
    """Today at the stations."""
    return datetime.now(STATION_TZ).date()


def urgent_need(
    need_id: str = "need-1",
    severity: Severity = "urgent",
    category: NeedCategory = "medical",
    identified_on: date = date(2024, 3, 18),
) -> NeedIdentified:
    """The source event most rules here trigger on."""
    return NeedIdentified(
        need_id=need_id, category=category, severity=severity, identified_on=identified_on
    )


def urgent_need_rule(
    rule_id: str, station_id: str | None, channel: str, role: str = "station_lead", **extra: Any
) -> dict[str, Any]:
    """A rule's body: urgent needs at the station, told to `role` through `channel`."""
    return {
        "rule_id": rule_id,
        "station_id": station_id,
        "trigger": "NeedIdentified",
        "conditions": [{"field": "severity", "op": "eq", "value": "urgent"}],
        "audience": {"role": role},
        "channel": channel,
        "template_id": "urgent-need",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def station_ids(unique) -> tuple[str, str]:
    """A fresh station and district per test, so rules of other tests never match."""
    return unique("st").replace("_", "-"), unique("d").replace("_", "-")


async def publish(
    nc, event: DomainEvent, household: str, station_id: str, recorded_at=None, **envelope
) -> Envelope:
    """Publish a source event as its write service's relay would (Nats-Msg-Id = event id)."""
    env = Envelope.wrap(
        event, aggregate_id=household, station_id=station_id, actor="w-test", **envelope
    )
    env = env.model_copy(
        update={"aggregate_version": 1, "recorded_at": recorded_at or env.recorded_at}
    )
    await republish(nc, env)
    return env


async def republish(nc, env: Envelope, msg_id: str | None = None) -> None:
    js = nc.jetstream()
    await bus.publish_event(
        js,
        subject_for(env),
        env.model_dump_json().encode(),
        headers={"Nats-Msg-Id": msg_id or str(env.event_id)},
    )


async def open_station(nc, settings: Settings, station_id: str, district_id: str) -> None:
    await bus.ensure_domain_streams(nc.jetstream(), ["registry", "visits", "engagement"], settings)
    await open_stations(nc, settings, [(station_id, district_id)])


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None = None  # None: the connection ended without an answer

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP/1.1 server on a free port that answers webhooks as scripted per path."""

    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    port: int = 0
    server: asyncio.AbstractServer | None = None

    async def start(self) -> Receiver:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for hold in self.holds.values():
            hold.set()
        if self.server:
            self.server.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, statuses: list[int]) -> None:
        """Answer the next requests to `path` with these statuses, then 200."""
        self.scripts[path] = list(statuses)

    def hold(self, path: str) -> None:
        """Keep requests to `path` waiting, unanswered, until `drop` ends them."""
        self.holds[path] = asyncio.Event()

    def drop(self, path: str) -> None:
        """Close the held connections without an answer; later requests are answered."""
        self.holds.pop(path).set()

    def to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def answered(self, path: str, status: int = 200) -> list[Received]:
        return [r for r in self.to(path) if r.answered == status]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            received = Received(path, headers, body)
            self.requests.append(received)
            if path in self.holds:
                await self.holds[path].wait()
                return  # dropped: the sender never hears back
            queue = self.scripts.get(path) or []
            status = queue.pop(0) if queue else 200
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
            received.answered = status
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class Mailbox:
    """What a real SMTP server (aiosmtpd) accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        msg = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def smtp_server() -> tuple[Controller, Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, box


class ServiceProcess:
    """The notifications service as its own process (`shegong_runtime.cli serve`)."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.port, self.log_path = port, log_path
        self.log = open(log_path, "ab")  # noqa: SIM115  held for the process's lifetime
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shegong_runtime.cli",
                "serve",
                "notifications",
                "--port",
                str(port),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"service exited: {self.log_path.read_text()[-2000:]}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{self.url}/readyz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no clean-up of any kind
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def process_env(stack_env: dict[str, str], **extra: str) -> dict[str, str]:
    return {
        **stack_env,
        **FAST,
        "SHEGONG_PROJECTION_FETCH_TIMEOUT_S": "0.2",
        **extra,
        "PYTHONUNBUFFERED": "1",
        "PATH": os.environ.get("PATH", ""),
    }


@asynccontextmanager
async def service_in_process(database_url: str, nats_url: str, **env: str):
    """The service in this process with its lifespan running (API, planner, worker, clock)."""
    from shegong_notifications.bootstrap import service

    saved = {k: os.environ.get(k) for k in {**FAST, **env}}
    os.environ.update({**FAST, **env})
    try:
        async with service_client(service, database_url, nats_url) as client:
            yield client
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def station_known(client, nc, station_id: str, district_id: str) -> None:
    """Open a station on the registry stream and wait until the service has learned it."""
    rt = client.app.state.runtime
    await open_station(nc, rt.settings, station_id, district_id)

    async def learned() -> bool:  # the one table the routes and the planner read
        await rt.stations.refresh()
        return rt.stations.district_of(station_id) == district_id

    await eventually(learned)


async def post(client, path: str, body: dict, headers: dict, status: int = 201) -> dict:
    r = await client.post(path, json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()


async def recipient(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    recipient_id: str,
    station_id: str,
    role: str = "social_worker",
    **extra: Any,
) -> str:
    """Register a recipient through the API; returns its id."""
    await post(
        client,
        "/recipients",
        {"recipient_id": recipient_id, "role": role, "station_id": station_id, **extra},
        admin,
    )
    return recipient_id


async def deliveries(pool, rule_id: str) -> list:
    return await pool.fetch(
        "SELECT * FROM notifications.deliveries WHERE rule_id = $1 ORDER BY recipient_id", rule_id
    )


async def sent(pool, rule_id: str, count: int = 1) -> list:
    """Wait until the rule has planned `count` deliveries and every one of them is sent."""

    async def check():
        rows = await deliveries(pool, rule_id)
        return rows if len(rows) == count and all(r["status"] == "sent" for r in rows) else None

    return await eventually(check)


async def dead(pool, rule_id: str):
    """Wait until the rule's first delivery is dead, and return it."""

    async def check():
        rows = await deliveries(pool, rule_id)
        return rows[0] if rows and rows[0]["status"] == "dead" else None

    return await eventually(check)


async def audit(pool, delivery_id) -> list[str]:
    """The event types recorded for one notification, in order."""
    rows = await pool.fetch(
        "SELECT event_type FROM notifications.events WHERE stream_id = $1 ORDER BY version",
        f"notification-{delivery_id}",
    )
    return [r["event_type"] for r in rows]


async def planner_saw(pool, event_id) -> bool:
    """Whether the live planner generation has applied this event."""
    from shegong_runtime import generations

    schema = await generations.live_schema(pool, "notifications_planner")
    return bool(
        await pool.fetchval(f"SELECT 1 FROM {schema}.processed WHERE event_id = $1", event_id)
    )


async def demo_rules(client, headers: dict, district_id: str, *names: str) -> dict[str, str]:
    """Define the demo's own rules (shegong_notifications.demo) for a district through the API;
    returns their ids by demo name."""
    from shegong_notifications import demo

    wanted = {f"{name}-{district_id}": name for name in names}
    bodies = [body for body in demo.rules(district_id) if body["rule_id"] in wanted]
    assert len(bodies) == len(names), f"no such demo rules: {names}"
    for body in bodies:
        await post(client, "/rules", body, headers)
    return {name: rule_id for rule_id, name in wanted.items()}


async def redelivered(nc, pool, env: Envelope, sentinel: DomainEvent, aggregate_id: str) -> None:
    """Deliver a source event to the planner again (another message id), then wait until the
    planner has applied a later event of the same stream, so the redelivery is behind it."""
    await republish(nc, env, msg_id=f"again-{env.event_id}")
    after = await publish(nc, sentinel, aggregate_id, env.station_id)
    await eventually(lambda: planner_saw(pool, after.event_id))


async def timers(pool, rule_id: str) -> list[tuple[str, str, str]]:
    """The rule's reminders as (subject key, source event type, status), sorted."""
    rows = await pool.fetch(
        "SELECT subject_key, source->>'event_type' AS event_type, status FROM notifications.timers "
        "WHERE rule_id = $1",
        rule_id,
    )
    return sorted((r["subject_key"], r["event_type"], r["status"]) for r in rows)


async def fast_forward(pool, rule_id: str, days: int) -> None:
    """Let `days` pass for the rule's reminders: each one's fire_at moves that far back, as the
    reminder clock (fire_at <= now()) would see them once the days had gone by."""
    await pool.execute(
        "UPDATE notifications.timers SET fire_at = fire_at - make_interval(days => $2) WHERE rule_id = $1",
        rule_id,
        days,
    )

"""Real processes: a service killed (SIGKILL) mid-delivery delivers once after its restart, and
a reminder scheduled before a restart fires once after it."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from shegong_events.visits import NeedIdentified, RiskTierAssigned
from shegong_runtime import auth
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually

from .helpers import (
    ServiceProcess,
    audit,
    deliveries,
    free_port,
    open_station,
    process_env,
    publish,
    station_ids,
)


@pytest.fixture
def started(stack_env, tmp_path):
    """Start the service as its own process; every process is stopped at the end."""
    procs: list[ServiceProcess] = []

    async def start(port: int) -> ServiceProcess:
        proc = ServiceProcess(
            process_env(stack_env), port, tmp_path / f"notifications-{len(procs)}.log"
        )
        procs.append(proc)
        await eventually(proc.ready, timeout=60)
        return proc

    yield start
    for proc in procs:
        proc.stop()


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.issue(Settings(), 'admin', 'city_admin')}"}


async def call(url: str, path: str, body: dict) -> None:
    """POST, waiting out the moment before the process has learned the station."""
    async with httpx.AsyncClient(base_url=url) as client:

        async def accepted():
            r = await client.post(path, json=body, headers=admin())
            assert r.status_code in (201, 422), r.text
            return r.status_code == 201

        await eventually(accepted)


async def set_up(url, nc, station_id, district_id, recipient, rule):
    await open_station(nc, Settings(), station_id, district_id)
    await call(url, "/recipients", recipient)
    await call(url, "/rules", {**rule, "station_id": station_id})


async def test_a_service_killed_mid_delivery_delivers_once_after_restart(
    started, receiver, nc, pool, unique
):
    port = free_port()
    first = await started(port)
    station_id, district_id = station_ids(unique)
    lead, rule = unique("lead"), unique("rule")
    path = f"/hooks/{lead}"
    await set_up(
        first.url,
        nc,
        station_id,
        district_id,
        {
            "recipient_id": lead,
            "role": "station_lead",
            "station_id": station_id,
            "webhook_url": receiver.url(path),
        },
        {
            "rule_id": rule,
            "trigger": "NeedIdentified",
            "audience": {"role": "station_lead"},
            "channel": "webhook",
            "template_id": "urgent-need",
        },
    )
    receiver.hold(path)
    await publish(
        nc,
        NeedIdentified(
            need_id="n-1", category="care", severity="urgent", identified_on=date(2024, 3, 19)
        ),
        unique("hh"),
        station_id,
    )

    # the webhook is on its way: the receiver holds the request, the process is killed
    await eventually(lambda: receiver.to(path), timeout=30)
    first.kill()
    receiver.drop(path)
    (row,) = await deliveries(pool, rule)
    assert row["status"] == "pending"

    await started(port)

    async def delivered():
        (row,) = await deliveries(pool, rule)
        return row if row["status"] == "sent" else None

    row = await eventually(delivered, timeout=30)
    calls = receiver.to(path)
    assert [c.answered for c in calls] == [None, 200]
    assert {c.headers["x-shegong-delivery"] for c in calls} == {str(row["delivery_id"])}
    assert await audit(pool, row["delivery_id"]) == ["NotificationSent"]


async def test_a_reminder_scheduled_before_a_restart_fires_once_after_it(started, nc, pool, unique):
    port = free_port()
    first = await started(port)
    station_id, district_id = station_ids(unique)
    worker, rule = unique("lead"), unique("rule")
    await set_up(
        first.url,
        nc,
        station_id,
        district_id,
        {"recipient_id": worker, "role": "station_lead", "station_id": station_id},
        {
            "rule_id": rule,
            "trigger": "RiskTierAssigned",
            "audience": {"role": "station_lead"},
            "channel": "inbox",
            "template_id": "visit-overdue",
            "reminder": {"at_field": "next_due_at"},
        },
    )
    now = datetime.now(UTC)
    source = await publish(
        nc,
        RiskTierAssigned(
            tier="high",
            reason="health_decline",
            assigned_at=now,
            next_due_at=now + timedelta(seconds=20),
        ),
        unique("hh"),
        station_id,
    )

    async def timer():
        return await pool.fetchrow(
            "SELECT * FROM notifications.timers WHERE source_event_id = $1", source.event_id
        )

    await eventually(timer, timeout=30)
    first.kill()
    assert (await timer())["status"] == "pending"  # not due before the restart

    await started(port)

    async def fired():
        row = await timer()
        return row if row["status"] == "fired" else None

    await eventually(fired, timeout=60)
    (delivery,) = await eventually(lambda: deliveries(pool, rule), timeout=30)
    assert delivery["source_event_id"] == source.event_id
    inbox = await eventually(
        lambda: pool.fetch("SELECT * FROM notifications.inbox WHERE recipient_id = $1", worker),
        timeout=30,
    )
    assert len(inbox) == 1 and inbox[0]["title"].startswith("【走访逾期】")

"""Channels: a webhook retried with backoff until it succeeds, once; dead letters and their
re-drive; email through a real SMTP server; the in-app inbox; who is told and through what."""

from datetime import date

import pytest
from aiosmtpd.controller import Controller
from shegong_events.visits import VisitScheduled
from shegong_notifications.channels import webhook
from shegong_testing.http import bearer, every

from .helpers import (
    Mailbox,
    audit,
    dead,
    post,
    publish,
    sent,
    smtp_server,
    station_ids,
    station_known,
    urgent_need,
    urgent_need_rule,
)

SECRET = "webhook-secret-of-the-lead-0001"


@pytest.fixture(scope="module")
def smtp():
    controller, box = smtp_server()
    yield controller, box
    controller.stop()


@pytest.fixture(scope="module")
def service_env(smtp: tuple[Controller, Mailbox]) -> dict[str, str]:
    controller, _ = smtp
    return {"SHEGONG_NOTIFY_SMTP_PORT": str(controller.port)}


async def test_a_webhook_that_fails_three_times_then_succeeds_is_delivered_exactly_once(
    notifications, admin, station, receiver, nc, pool, unique
):
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    path = f"/hooks/{lead}"
    receiver.script(path, [500, 503, 502])
    await post(
        notifications,
        "/recipients",
        {
            "recipient_id": lead,
            "role": "station_lead",
            "station_id": station_id,
            "webhook_url": receiver.url(path),
            "webhook_secret": SECRET,
        },
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "webhook"), admin)

    source = await publish(nc, urgent_need(), unique("hh"), station_id)
    (row,) = await sent(pool, rule)

    calls = receiver.to(path)
    assert [c.answered for c in calls] == [500, 503, 502, 200]
    assert {c.headers["x-shegong-delivery"] for c in calls} == {str(row["delivery_id"])}
    assert all(
        webhook.verify(
            SECRET, c.headers["x-shegong-timestamp"], c.body, c.headers["x-shegong-signature"]
        )
        for c in calls
    )
    assert calls[-1].json["source_event_id"] == str(source.event_id)
    assert calls[-1].json["title"].startswith("【紧急需求】")
    assert row["attempts"] == 4
    assert await audit(pool, row["delivery_id"]) == ["NotificationFailed"] * 3 + [
        "NotificationSent"
    ]


async def test_a_webhook_out_of_attempts_is_dead_until_an_operator_redrives_it(
    notifications, admin, station, receiver, nc, pool, unique
):
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    path = f"/hooks/{lead}"
    receiver.script(path, [500] * 5)
    await post(
        notifications,
        "/recipients",
        {
            "recipient_id": lead,
            "role": "station_lead",
            "station_id": station_id,
            "webhook_url": receiver.url(path),
        },
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "webhook"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)

    row = await dead(pool, rule)
    assert row["attempts"] == 5 and row["last_error"] == "HTTP 500"
    assert await audit(pool, row["delivery_id"]) == ["NotificationFailed"] * 5
    listed = await every(
        notifications, "/deliveries", {"status": "dead", "rule_id": rule}, headers=admin
    )
    assert [d["delivery_id"] for d in listed] == [str(row["delivery_id"])]

    r = await notifications.post(f"/deliveries/{row['delivery_id']}/redrive", headers=admin)
    assert r.status_code == 200, r.text
    await sent(pool, rule)
    again = await notifications.post(f"/deliveries/{row['delivery_id']}/redrive", headers=admin)
    assert again.status_code == 409 and again.json()["rule"] == "NotificationNotDead"
    assert len(receiver.answered(path)) == 1
    assert (await audit(pool, row["delivery_id"]))[-2:] == [
        "NotificationRedriven",
        "NotificationSent",
    ]


async def test_a_refused_webhook_is_dead_at_once_without_retries(
    notifications, admin, station, receiver, nc, pool, unique
):
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    path = f"/hooks/{lead}"
    receiver.script(path, [410])
    await post(
        notifications,
        "/recipients",
        {
            "recipient_id": lead,
            "role": "station_lead",
            "station_id": station_id,
            "webhook_url": receiver.url(path),
        },
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "webhook"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)

    row = await dead(pool, rule)
    assert row["attempts"] == 1 and len(receiver.to(path)) == 1


async def test_an_email_goes_through_a_real_smtp_server_in_chinese(
    notifications, admin, station, smtp, nc, pool, unique
):
    _, box = smtp
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    address = f"{lead}@station.example.cn"
    await post(
        notifications,
        "/recipients",
        {
            "recipient_id": lead,
            "role": "station_lead",
            "station_id": station_id,
            "email": address,
            "name": "王站长",
        },
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "email"), admin)
    household = unique("hh")
    await publish(nc, urgent_need(), household, station_id)

    (row,) = await sent(pool, rule)
    (mail,) = box.to(address)
    assert mail["Subject"] == f"【紧急需求】{station_id} 社工站"
    assert mail["Message-ID"] == f"<{row['delivery_id']}@shegong>"
    text = mail.get_content()
    assert household in text and "紧急需求" in text
    assert await audit(pool, row["delivery_id"]) == ["NotificationSent"]
    events = await pool.fetch(
        "SELECT data::text AS data FROM notifications.event_log WHERE stream_id = $1",
        f"recipient-{lead}",
    )
    assert address not in events[0]["data"] and "王站长" not in events[0]["data"]  # sealed at rest


async def test_the_inbox_lists_a_notification_and_only_its_addressee_marks_it_read(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    await post(
        notifications,
        "/recipients",
        {"recipient_id": lead, "role": "station_lead", "station_id": station_id},
        admin,
    )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "inbox"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)
    await publish(nc, urgent_need(severity="low"), unique("hh"), station_id)  # no rule for it

    settings = notifications.app.state.settings
    me = bearer(settings, "station_lead", [station_id], subject=lead)
    someone_else = bearer(settings, "station_lead", [station_id], subject=unique("lead"))
    (row,) = await sent(pool, rule)
    inbox = await every(notifications, "/inbox", None, headers=me)
    assert [i["delivery_id"] for i in inbox] == [str(row["delivery_id"])]
    assert inbox[0]["read_at"] is None and inbox[0]["title"].startswith("【紧急需求】")
    assert await every(notifications, "/inbox", None, headers=someone_else) == []

    path = f"/inbox/{row['delivery_id']}/read"
    assert (await notifications.post(path, headers=someone_else)).status_code == 404
    assert (await notifications.post(path, headers=me)).status_code == 200
    assert (await notifications.post(path, headers=me)).status_code == 200
    assert await every(notifications, "/inbox", {"unread_only": True}, headers=me) == []
    assert await audit(pool, row["delivery_id"]) == ["NotificationSent", "NotificationRead"]


async def test_subscriptions_choose_the_channel_per_topic_and_can_mute_it(
    notifications, admin, station, receiver, nc, pool, unique
):
    station_id, _ = station
    moved, muted, rule = unique("lead"), unique("lead"), unique("rule")
    for lead in (moved, muted):
        await post(
            notifications,
            "/recipients",
            {
                "recipient_id": lead,
                "role": "station_lead",
                "station_id": station_id,
                "webhook_url": receiver.url(f"/hooks/{lead}"),
            },
            admin,
        )
    settings = notifications.app.state.settings
    await post(
        notifications,
        f"/recipients/{moved}/subscriptions",
        {"topic": "urgent-need", "channel": "inbox"},
        bearer(settings, "social_worker", [station_id], subject=moved),
        status=200,
    )
    await post(
        notifications,
        f"/recipients/{muted}/subscriptions",
        {"topic": "urgent-need", "channel": "none"},
        admin,
        status=200,
    )
    no_address = await notifications.post(
        f"/recipients/{moved}/subscriptions",
        json={"topic": "urgent-need", "channel": "email"},
        headers=admin,
    )
    assert no_address.status_code == 422 and no_address.json()["field"] == "channel"
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "webhook"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)

    (row,) = await sent(pool, rule)
    assert (row["recipient_id"], row["channel"]) == (moved, "inbox")
    assert receiver.to(f"/hooks/{moved}") == receiver.to(f"/hooks/{muted}") == []


async def test_an_audience_field_picks_the_worker_the_event_names(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    assigned, other, rule = unique("sw"), unique("sw"), unique("rule")
    await post(
        notifications,
        "/recipients",
        {
            "recipient_id": assigned,
            "role": "social_worker",
            "station_id": station_id,
            "refs": ["w-zhang"],
        },
        admin,
    )
    await post(
        notifications,
        "/recipients",
        {"recipient_id": other, "role": "social_worker", "station_id": station_id},
        admin,
    )
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "station_id": station_id,
            "trigger": "VisitScheduled",
            "audience": {"role": "social_worker", "match_field": "social_worker_id"},
            "channel": "inbox",
            "template_id": "event-recorded",
        },
        admin,
    )
    await publish(
        nc,
        VisitScheduled(
            visit_id="v-1",
            scheduled_for=date(2024, 3, 20),
            social_worker_id="w-zhang",
            purposes=["needs_assessment"],
        ),
        unique("hh"),
        station_id,
    )

    (row,) = await sent(pool, rule)
    assert row["recipient_id"] == assigned


async def test_a_district_rule_reaches_the_district_officer_for_every_station_of_the_district(
    notifications, admin, nc, pool, unique
):
    first, district = station_ids(unique)
    elsewhere, other_district = station_ids(unique)
    second, _ = station_ids(unique)
    for s, d in ((first, district), (second, district), (elsewhere, other_district)):
        await station_known(notifications, nc, s, d)
    officer, rule = unique("officer"), unique("rule")
    await post(
        notifications,
        "/recipients",
        {"recipient_id": officer, "role": "district_officer", "district_id": district},
        admin,
    )
    officer_token = bearer(
        notifications.app.state.settings, "district_officer", district=district, subject=officer
    )
    body = urgent_need_rule(rule, None, "inbox", role="district_officer")
    body.pop("station_id")
    await post(notifications, "/rules", {**body, "district_id": district}, officer_token)

    sources = [
        await publish(nc, urgent_need(), unique("hh"), s) for s in (first, second, elsewhere)
    ]
    rows = await sent(pool, rule, count=2)
    assert {r["source_event_id"] for r in rows} == {sources[0].event_id, sources[1].event_id}
    assert {r["recipient_id"] for r in rows} == {officer}


async def test_many_deliveries_shared_by_concurrent_workers_are_each_sent_once(
    notifications, admin, station, receiver, nc, pool, unique
):
    station_id, _ = station
    leads, rule = [unique("lead") for _ in range(12)], unique("rule")
    for lead in leads:
        receiver.script(
            f"/hooks/{lead}", [503]
        )  # one retry each, so workers also meet rows coming due again
        await post(
            notifications,
            "/recipients",
            {
                "recipient_id": lead,
                "role": "station_lead",
                "station_id": station_id,
                "webhook_url": receiver.url(f"/hooks/{lead}"),
            },
            admin,
        )
    await post(notifications, "/rules", urgent_need_rule(rule, station_id, "webhook"), admin)
    await publish(nc, urgent_need(), unique("hh"), station_id)

    rows = await sent(pool, rule, count=12)
    assert {r["attempts"] for r in rows} == {2}
    assert [len(receiver.answered(f"/hooks/{lead}")) for lead in leads] == [1] * 12
    assert [len(receiver.to(f"/hooks/{lead}")) for lead in leads] == [2] * 12

"""Exactly once per (rule, source event, recipient): redelivery, a rebuild of the planner from
all history and history older than the rule send nothing."""

from datetime import UTC, date, datetime, timedelta

from shegong_events.visits import NeedIdentified
from shegong_notifications.projections import NotificationPlanner
from shegong_runtime.projection import rebuild
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer

from .helpers import (
    deliveries,
    planner_saw,
    post,
    publish,
    republish,
    sent,
    station_ids,
    station_known,
    urgent_need,
)


def urgent(need_id: str) -> NeedIdentified:
    return urgent_need(need_id, category="care", identified_on=date(2024, 3, 19))


async def test_a_replay_of_history_sends_nothing(notifications, receiver, nc, pool, unique):
    settings = notifications.app.state.settings
    admin = bearer(settings, "city_admin")
    station_id, district_id = station_ids(unique)
    await station_known(notifications, nc, station_id, district_id)
    lead, rule, reminder_rule = unique("lead"), unique("rule"), unique("rule")
    path = f"/hooks/{lead}"

    # history from before the rules: recorded, then seen by the planner, but not theirs
    older = await publish(nc, urgent("n-old"), unique("hh"), station_id)
    await eventually(lambda: planner_saw(pool, older.event_id))

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
    for rid, reminder in ((rule, None), (reminder_rule, {"offset_minutes": -1})):
        await post(
            notifications,
            "/rules",
            {
                "rule_id": rid,
                "station_id": station_id,
                "trigger": "NeedIdentified",
                "audience": {"role": "station_lead"},
                "channel": "webhook",
                "template_id": "urgent-need",
                "reminder": reminder,
            },
            admin,
        )

    # history recorded an hour ago arriving only now (a stream replayed to the planner): not theirs
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    late = await publish(
        nc, urgent("n-late"), unique("hh"), station_id, occurred_at=hour_ago, recorded_at=hour_ago
    )

    # a new urgent need: told at once under one rule, and by a reminder (due already) under the other
    newer = await publish(nc, urgent("n-new"), unique("hh"), station_id)

    async def both_sent():
        rows = [*await deliveries(pool, rule), *await deliveries(pool, reminder_rule)]
        return rows if len(rows) == 2 and all(r["status"] == "sent" for r in rows) else None

    before = await eventually(both_sent)
    assert await planner_saw(pool, late.event_id)
    assert {r["source_event_id"] for r in before} == {newer.event_id}
    assert len(receiver.answered(path)) == 2

    # the same event delivered again under another message id, then all history rebuilt
    await republish(nc, newer, msg_id=f"again-{newer.event_id}")
    generation = await rebuild(NotificationPlanner(), pool, nc, settings, grace_s=0.5)
    assert generation > 1

    after = [*await deliveries(pool, rule), *await deliveries(pool, reminder_rule)]
    assert [(r["delivery_id"], r["status"], r["attempts"]) for r in after] == [
        (r["delivery_id"], r["status"], r["attempts"]) for r in before
    ]
    timers = await pool.fetchval(
        "SELECT count(*) FROM notifications.timers WHERE rule_id = $1", reminder_rule
    )
    assert timers == 1

    # the live planner carries on in the new generation: the next need is told once, as before
    latest = await publish(nc, urgent("n-latest"), unique("hh"), station_id)

    rows = await sent(pool, rule, count=2)
    assert {r["source_event_id"] for r in rows} == {newer.event_id, latest.event_id}
    await eventually(lambda: len(receiver.answered(path)) == 4)
    assert sorted(c.json["source_event_id"] for c in receiver.answered(path)) == sorted(
        [str(newer.event_id)] * 2 + [str(latest.event_id)] * 2
    )

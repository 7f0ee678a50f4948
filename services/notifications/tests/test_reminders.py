"""Durable reminders: a follow-up due tomorrow, a referral pending too long, a visit overdue
for its risk tier, an action item due, the weekly roundup; cancelled, superseded, fired once."""

from datetime import UTC, date, datetime, timedelta

from shegong_events.engagement import ActionItemAssigned, ActionItemDone, MeetingHeld
from shegong_events.visits import FollowUpScheduled, NeedReferred, NeedResolved, VisitRecorded
from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from .helpers import post, publish, recipient, sent, station_ids, station_known, today


async def reminders(client, admin, station_id, rule_id):
    rows = await every(client, "/reminders", {"station_id": station_id}, headers=admin)
    return sorted(r["status"] for r in rows if r["rule_id"] == rule_id)


async def test_a_follow_up_due_tomorrow_reminds_its_worker_once(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    worker, rule = unique("sw"), unique("rule")
    await recipient(notifications, admin, worker, station_id, refs=["w-li"])
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "station_id": station_id,
            "trigger": "FollowUpScheduled",
            "audience": {"role": "social_worker", "match_field": "social_worker_id"},
            "channel": "inbox",
            "template_id": "follow-up-due",
            "reminder": {
                "at_field": "follow_up_on",
                "offset_days": -1,
                "at_time": "00:00",
            },  # today at midnight: due now
        },
        admin,
    )
    tomorrow = today() + timedelta(days=1)
    household = unique("hh")
    await publish(
        nc,
        FollowUpScheduled(
            follow_up_on=tomorrow,
            social_worker_id="w-li",
            next_due_at=datetime.now(UTC) + timedelta(days=2),
        ),
        household,
        station_id,
    )

    (row,) = await sent(pool, rule)
    assert row["recipient_id"] == worker
    assert tomorrow.isoformat() in row["body"] and household in row["body"]
    assert await reminders(notifications, admin, station_id, rule) == ["fired"]


async def test_a_referral_resolved_in_time_cancels_its_reminder_and_a_late_one_fires(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    lead, rule = unique("lead"), unique("rule")
    await recipient(notifications, admin, lead, station_id, role="station_lead")
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "station_id": station_id,
            "trigger": "NeedReferred",
            "audience": {"role": "station_lead"},
            "channel": "inbox",
            "template_id": "referral-pending",
            "reminder": {
                "at_field": "referred_on",
                "offset_days": 7,
                "key": "{need_id}",
                "cancel_on": ["NeedResolved", "NeedClosed"],
            },
        },
        admin,
    )

    def referral(need_id, on):
        return NeedReferred(
            need_id=need_id,
            category="medical",
            severity="high",
            agency="区医院",
            agency_kind="health",
            referred_on=on,
            lawful_basis="consent",
        )

    household = unique("hh")
    await publish(nc, referral("need-fresh", today()), household, station_id)
    await eventually(lambda: reminders(notifications, admin, station_id, rule))
    await publish(
        nc,
        NeedResolved(
            need_id="need-fresh",
            category="medical",
            severity="high",
            outcome="referral_served",
            resolved_on=today(),
        ),
        household,
        station_id,
    )
    late = await publish(
        nc, referral("need-late", today() - timedelta(days=10)), household, station_id
    )

    (row,) = await sent(pool, rule)
    assert row["source_event_id"] == late.event_id
    assert await reminders(notifications, admin, station_id, rule) == ["cancelled", "fired"]


async def test_a_newer_visit_supersedes_the_pending_overdue_reminder(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    worker, rule = unique("sw"), unique("rule")
    await recipient(notifications, admin, worker, station_id, refs=["w-wang"])
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "station_id": station_id,
            "trigger": "VisitRecorded",
            "audience": {"role": "social_worker", "match_field": "social_worker_ids"},
            "channel": "inbox",
            "template_id": "visit-overdue",
            "reminder": {"at_field": "next_due_at", "cancel_on": ["HouseholdErased"]},
        },
        admin,
    )

    def visit(visit_id, next_due_at):
        return VisitRecorded(
            visit_id=visit_id,
            visited_at=datetime.now(UTC),
            mode="home_visit",
            social_worker_ids=["w-wang"],
            next_due_at=next_due_at,
        )

    household = unique("hh")
    await publish(nc, visit("v-1", datetime.now(UTC) + timedelta(days=30)), household, station_id)
    await eventually(lambda: reminders(notifications, admin, station_id, rule))
    second = await publish(
        nc, visit("v-2", datetime.now(UTC) - timedelta(minutes=1)), household, station_id
    )

    (row,) = await sent(pool, rule)
    assert row["source_event_id"] == second.event_id and row["recipient_id"] == worker
    assert await reminders(notifications, admin, station_id, rule) == ["fired", "superseded"]


async def test_an_action_item_due_reminds_its_owner_unit_unless_done(
    notifications, admin, station, nc, pool, unique
):
    station_id, _ = station
    committee, rule = unique("contact"), unique("rule")
    await recipient(
        notifications, admin, committee, station_id, role="org_contact", refs=["大通路社区居委会"]
    )
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "station_id": station_id,
            "trigger": "ActionItemAssigned",
            "audience": {"match_field": "owner_unit"},
            "channel": "inbox",
            "template_id": "action-item-due",
            "reminder": {
                "at_field": "due_on",
                "key": "{action_id}",
                "cancel_on": ["ActionItemDone"],
            },
        },
        admin,
    )

    def item(action_id, due_on):
        return ActionItemAssigned(
            action_id=action_id,
            title="楼院文化墙设计",
            owner_role="community_secretary",
            owner_unit="大通路社区居委会",
            assigned_on=date(2024, 3, 19),
            due_on=due_on,
        )

    meeting = unique("mt").replace("_", "-")
    await publish(nc, item("a-done", today() + timedelta(days=5)), meeting, station_id)
    await eventually(lambda: reminders(notifications, admin, station_id, rule))
    await publish(
        nc,
        ActionItemDone(
            action_id="a-done",
            title="楼院文化墙设计",
            due_on=today() + timedelta(days=5),
            done_on=today(),
            late=False,
        ),
        meeting,
        station_id,
    )
    due = await publish(nc, item("a-due", today() - timedelta(days=1)), meeting, station_id)

    (row,) = await sent(pool, rule)
    assert row["source_event_id"] == due.event_id and row["recipient_id"] == committee
    assert "a-due" in row["body"]


async def test_the_weekly_roundup_reaches_the_district_bureau_once_a_week(
    notifications, admin, nc, pool, unique
):
    first, district = station_ids(unique)
    second, _ = station_ids(unique)
    for s in (first, second):
        await station_known(notifications, nc, s, district)
    officer, rule = unique("officer"), unique("rule")
    await post(
        notifications,
        "/recipients",
        {"recipient_id": officer, "role": "district_officer", "district_id": district},
        admin,
    )
    await post(
        notifications,
        "/rules",
        {
            "rule_id": rule,
            "district_id": district,
            "trigger": "MeetingHeld",
            "audience": {"role": "district_officer"},
            "channel": "inbox",
            "template_id": "weekly-roundup",
            "reminder": {
                "at_field": "held_on",
                "weekday": 1,
                "at_time": "09:00",
                "key": "{district_id}-{week}",
                "repeat": "once",
            },
        },
        admin,
    )

    for station_id, held_on in ((first, date(2024, 3, 19)), (second, date(2024, 3, 22))):
        await publish(
            nc,
            MeetingHeld(kind="resident_deliberation", title="居民议事会", held_on=held_on),
            unique("mt").replace("_", "-"),
            station_id,
        )

    (row,) = await sent(pool, rule)
    assert row["recipient_id"] == officer
    timers = await pool.fetch(
        "SELECT subject_key, status FROM notifications.timers WHERE rule_id = $1 ORDER BY status",
        rule,
    )
    assert [(t["subject_key"], t["status"]) for t in timers] == [
        (f"{district}-2024-W12", "fired"),
        (f"{district}-2024-W12", "superseded"),
    ]

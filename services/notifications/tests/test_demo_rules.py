"""The demo's rules, defined through the API as the demo defines them, driven by real source
events: a filing returned or approved, a referral pending too long, a visit overdue for its
risk tier. Each reaches its one recipient once; what is settled in time sends nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from shegong_events.registry import OrgFilingApproved, OrgFilingResubmitted, OrgFilingReturned
from shegong_events.visits import (
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    RiskTier,
    RiskTierAssigned,
    VisitRecorded,
)
from shegong_testing.fixtures import eventually

from .helpers import (
    deliveries,
    demo_rules,
    fast_forward,
    publish,
    recipient,
    redelivered,
    sent,
    station_ids,
    station_known,
    timers,
    today,
)


@pytest.fixture
async def station(notifications, nc, unique):
    """A fresh station in a fresh district, with a second station of the same district."""
    station_id, district_id = station_ids(unique)
    neighbour, _ = station_ids(unique)
    for s in (station_id, neighbour):
        await station_known(notifications, nc, s, district_id)
    return station_id, district_id, neighbour


async def inbox(pool, recipient_id) -> list[str]:
    rows = await pool.fetch(
        "SELECT title FROM notifications.inbox WHERE recipient_id = $1", recipient_id
    )
    return [r["title"] for r in rows]


# ── filing returned or approved → the organisation's contact ──


async def test_a_returned_and_an_approved_filing_reach_the_organisations_contact_once_each(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, _ = station
    org, other_org = unique("org").replace("_", "-"), unique("org").replace("_", "-")
    contact = await recipient(
        notifications, admin, unique("contact"), station_id, "org_contact", refs=[org]
    )
    other_contact = await recipient(
        notifications, admin, unique("contact"), station_id, "org_contact", refs=[other_org]
    )
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    rules = await demo_rules(
        notifications, admin, district_id, "filing-returned", "filing-approved"
    )

    # the station returns the filing for correction, the organisation resubmits, the station approves
    returned = await publish(
        nc, OrgFilingReturned(reasons=["章程摘要缺少活动频次"]), org, station_id
    )
    await publish(
        nc,
        OrgFilingResubmitted(charter_summary="每周二、四下午合唱排练", note="补充活动频次"),
        org,
        station_id,
    )
    approved = await publish(
        nc,
        OrgFilingApproved(
            filing_number=f"{station_id}-2024-0001",
            name="银龄之声合唱团",
            category="culture_sports",
        ),
        org,
        station_id,
    )

    (back,) = await sent(pool, rules["filing-returned"])
    (through,) = await sent(pool, rules["filing-approved"])
    assert (back["recipient_id"], back["source_event_id"]) == (contact, returned.event_id)
    assert (through["recipient_id"], through["source_event_id"]) == (contact, approved.event_id)
    assert org in back["body"] and org in through["body"]

    # both events delivered to the planner again: still one notification each
    for env in (returned, approved):
        await redelivered(nc, pool, env, OrgFilingResubmitted(note="无变更"), other_org)
    assert [len(await deliveries(pool, r)) for r in rules.values()] == [1, 1]
    assert sorted(title[:6] for title in await inbox(pool, contact)) == sorted(
        ["【备案退回】", "【备案通过】"]
    )
    assert await inbox(pool, other_contact) == [] and await inbox(pool, lead) == []


# ── referral pending longer than seven days → the station lead ──


def referral(need_id: str, referred_on: date) -> NeedReferred:
    return NeedReferred(
        need_id=need_id,
        category="medical",
        severity="high",
        agency="区人民医院",
        agency_kind="health",
        referred_on=referred_on,
        lawful_basis="consent",
    )


async def test_a_referral_pending_longer_than_seven_days_reaches_the_station_lead_once(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, neighbour = station
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    other_lead = await recipient(notifications, admin, unique("lead"), neighbour, "station_lead")
    worker = await recipient(notifications, admin, unique("sw"), station_id, "social_worker")
    rule = (await demo_rules(notifications, admin, district_id, "referral-pending"))[
        "referral-pending"
    ]

    # referred ten days ago and neither resolved nor closed since
    household, referred_on = unique("hh"), today() - timedelta(days=10)
    late = await publish(nc, referral("need-late", referred_on), household, station_id)

    (row,) = await sent(pool, rule)
    assert (row["recipient_id"], row["source_event_id"]) == (lead, late.event_id)
    assert "need-late" in row["body"] and f"自{referred_on.isoformat()}发出" in row["body"]

    # the referral delivered to the planner again: no second reminder, no second notification
    await redelivered(
        nc,
        pool,
        late,
        NeedIdentified(need_id="need-x", category="care", severity="low", identified_on=today()),
        household,
    )
    assert await timers(pool, rule) == [(f"{household}-need-late", "NeedReferred", "fired")]
    assert len(await deliveries(pool, rule)) == 1
    assert await inbox(pool, other_lead) == [] and await inbox(pool, worker) == []


async def test_a_referral_resolved_or_closed_in_time_sends_nothing(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, _ = station
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    rule = (await demo_rules(notifications, admin, district_id, "referral-pending"))[
        "referral-pending"
    ]

    # three referrals made yesterday: one served, one closed, one still open
    household, yesterday = unique("hh"), today() - timedelta(days=1)
    for need_id in ("need-served", "need-declined", "need-open"):
        await publish(nc, referral(need_id, yesterday), household, station_id)
    await eventually(lambda: timers_pending(pool, rule, 3))
    await publish(
        nc,
        NeedResolved(
            need_id="need-served",
            category="medical",
            severity="high",
            outcome="referral_served",
            resolved_on=today(),
        ),
        household,
        station_id,
    )
    await publish(
        nc,
        NeedClosed(
            need_id="need-declined",
            category="medical",
            severity="high",
            reason="declined",
            closed_on=today(),
        ),
        household,
        station_id,
    )
    await eventually(lambda: timers_pending(pool, rule, 1))

    # ten days later only the open referral reminds the lead
    await fast_forward(pool, rule, days=10)
    (row,) = await sent(pool, rule)
    assert row["recipient_id"] == lead and "need-open" in row["body"]
    assert await timers(pool, rule) == [
        (f"{household}-need-declined", "NeedReferred", "cancelled"),
        (f"{household}-need-open", "NeedReferred", "fired"),
        (f"{household}-need-served", "NeedReferred", "cancelled"),
    ]


async def test_referrals_of_the_same_need_id_in_two_households_are_reminded_apart(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, _ = station
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    rule = (await demo_rules(notifications, admin, district_id, "referral-pending"))[
        "referral-pending"
    ]

    # need ids are the household's own: both households referred their "need-1" yesterday
    served, waiting, yesterday = unique("hh"), unique("hh"), today() - timedelta(days=1)
    await publish(nc, referral("need-1", yesterday), served, station_id)
    pending = await publish(nc, referral("need-1", yesterday), waiting, station_id)
    await eventually(lambda: timers_pending(pool, rule, 2))
    # one household's need is served: the other household's referral still waits
    await publish(
        nc,
        NeedResolved(
            need_id="need-1",
            category="medical",
            severity="high",
            outcome="referral_served",
            resolved_on=today(),
        ),
        served,
        station_id,
    )
    await eventually(lambda: timers_pending(pool, rule, 1))

    await fast_forward(pool, rule, days=10)
    (row,) = await sent(pool, rule)
    assert (row["recipient_id"], row["source_event_id"]) == (lead, pending.event_id)


async def timers_pending(pool, rule_id: str, count: int) -> bool:
    return sum(status == "pending" for *_, status in await timers(pool, rule_id)) == count


# ── visit overdue for the household's risk tier → the assigned social worker ──


def visit(visit_id: str, worker: str, visited_at: datetime, next_due_at: datetime) -> VisitRecorded:
    return VisitRecorded(
        visit_id=visit_id,
        visited_at=visited_at,
        mode="home_visit",
        social_worker_ids=[worker],
        next_due_at=next_due_at,
    )


def tier(name: RiskTier, next_due_at: datetime) -> RiskTierAssigned:
    return RiskTierAssigned(
        tier=name,
        previous_tier="general",
        reason="health_decline",
        assigned_at=datetime.now(UTC),
        next_due_at=next_due_at,
    )


async def test_a_visit_overdue_for_its_risk_tier_reaches_the_assigned_social_worker_once(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, _ = station
    worker = await recipient(notifications, admin, unique("sw"), station_id, "social_worker")
    colleague = await recipient(notifications, admin, unique("sw"), station_id, "social_worker")
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    rules = await demo_rules(
        notifications, admin, district_id, "visit-overdue", "tier-visit-overdue"
    )

    # the last visit was 31 days ago; the general tier's next visit fell due yesterday
    household, now = unique("hh"), datetime.now(UTC)
    last = await publish(
        nc,
        visit("v-1", worker, now - timedelta(days=31), now - timedelta(days=1)),
        household,
        station_id,
    )

    (row,) = await sent(pool, rules["visit-overdue"])
    assert (row["recipient_id"], row["source_event_id"]) == (worker, last.event_id)
    assert household in row["body"] and row["title"].startswith("【走访逾期】")

    # the visit delivered to the planner again: no second reminder, no second notification
    await redelivered(
        nc,
        pool,
        last,
        NeedIdentified(need_id="need-x", category="care", severity="low", identified_on=today()),
        household,
    )
    assert await timers(pool, rules["visit-overdue"]) == [(household, "VisitRecorded", "fired")]
    assert len(await deliveries(pool, rules["visit-overdue"])) == 1
    assert await deliveries(pool, rules["tier-visit-overdue"]) == []
    assert await inbox(pool, colleague) == [] and await inbox(pool, lead) == []


async def test_a_visit_recorded_before_the_due_date_cancels_the_overdue_reminder(
    notifications, admin, station, nc, pool, unique
):
    station_id, district_id, _ = station
    worker = await recipient(notifications, admin, unique("sw"), station_id, "social_worker")
    lead = await recipient(notifications, admin, unique("lead"), station_id, "station_lead")
    rules = await demo_rules(
        notifications, admin, district_id, "visit-overdue", "tier-visit-overdue"
    )
    by_worker, by_tier = rules["visit-overdue"], rules["tier-visit-overdue"]
    now = datetime.now(UTC)
    revisited, visited, raised, forgotten = unique("hh"), unique("hh"), unique("hh"), unique("hh")

    # revisited: seen 25 days ago (general tier, due in 5 days), visited again today
    await publish(
        nc,
        visit("v-0", worker, now - timedelta(days=25), now + timedelta(days=5)),
        revisited,
        station_id,
    )
    await publish(nc, visit("v-00", worker, now, now + timedelta(days=30)), revisited, station_id)
    # visited: seen 20 days ago, raised to the high tier (due in 2 days), visited again today
    await publish(
        nc,
        visit("v-1", worker, now - timedelta(days=20), now + timedelta(days=10)),
        visited,
        station_id,
    )
    await publish(nc, tier("high", now + timedelta(days=2)), visited, station_id)
    await publish(nc, visit("v-2", worker, now, now + timedelta(days=15)), visited, station_id)
    # raised: seen 20 days ago, raised to the high tier (due in 2 days), not visited since
    await publish(
        nc,
        visit("v-3", worker, now - timedelta(days=20), now + timedelta(days=10)),
        raised,
        station_id,
    )
    await publish(nc, tier("high", now + timedelta(days=2)), raised, station_id)
    # forgotten: seen 25 days ago (general tier, due in 5 days), not visited since
    await publish(
        nc,
        visit("v-4", worker, now - timedelta(days=25), now + timedelta(days=5)),
        forgotten,
        station_id,
    )

    async def planned():
        return len(await timers(pool, by_worker)) == 6 and len(await timers(pool, by_tier)) == 2

    await eventually(planned)
    assert await timers(pool, by_tier) == sorted(
        [(visited, "RiskTierAssigned", "cancelled"), (raised, "RiskTierAssigned", "pending")]
    )

    # ten days later: the visits in time sent nothing; the two households not visited are overdue
    await fast_forward(pool, by_worker, days=10)
    await fast_forward(pool, by_tier, days=10)
    (to_worker,) = await sent(pool, by_worker)
    (to_lead,) = await sent(pool, by_tier)
    assert to_worker["recipient_id"] == worker and forgotten in to_worker["body"]
    assert to_lead["recipient_id"] == lead and raised in to_lead["body"]
    assert await timers(pool, by_worker) == sorted(
        [
            (revisited, "VisitRecorded", "superseded"),  # by the visit of today
            (revisited, "VisitRecorded", "pending"),  # the next visit is due in 30 days
            (visited, "VisitRecorded", "cancelled"),  # by the new risk tier
            (
                visited,
                "VisitRecorded",
                "pending",
            ),  # the visit of today: the next one is due in 15 days
            (
                raised,
                "VisitRecorded",
                "cancelled",
            ),  # by the new risk tier: the lead is reminded instead
            (forgotten, "VisitRecorded", "fired"),
        ]
    )
    assert await timers(pool, by_tier) == sorted(
        [(visited, "RiskTierAssigned", "cancelled"), (raised, "RiskTierAssigned", "fired")]
    )
    assert sorted(
        r["recipient_id"]
        for r in await pool.fetch(
            "SELECT recipient_id FROM notifications.inbox WHERE station_id = $1", station_id
        )
    ) == sorted([worker, lead])

"""Visits, tiers, overdue visits, needs, consent and the timeline, through the HTTP API."""

import uuid

import pytest
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, store_of

STATION = f"vn-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: "chengguan"}) as client:
        yield client


@pytest.fixture(scope="module")
def worker(settings):
    return bearer(settings, "social_worker", [STATION], subject="sw-wang")


@pytest.fixture
def post(visits, worker, unique):
    """POST as the station's social worker with a fresh Idempotency-Key."""

    async def send(path, body, **headers):
        return await visits.post(
            path, json=body, headers={**worker, "Idempotency-Key": unique("key"), **headers}
        )

    return send


async def new_household(
    post, tier="general", registered_at="2024-03-01T09:00:00+08:00", members=()
):
    body = {
        "station_id": STATION,
        "categories": ["minimum_living_allowance"],
        "head_name": "测试户主乙",
        "phone": "13800000002",
        "members": list(members),
        "risk_tier": tier,
        "registered_at": registered_at,
    }
    r = await post("/households", body)
    assert r.status_code == 201, r.text
    return r.json()["household_id"]


def visit(visited_at="2024-03-10T10:00:00+08:00", **changes):
    body = {
        "visited_at": visited_at,
        "mode": "home_visit",
        "social_worker_ids": ["sw-wang"],
        "volunteer_ids": ["vol-1"],
        "services": [
            {
                "kind": "policy_briefing",
                "policies": ["minimum_living_allowance", "temporary_assistance"],
            },
            {"kind": "counselling"},
        ],
        "observations": {"health": "attention", "gas_safety": "risk", "notes": "燃气软管老化"},
        "notes": "老人情绪低落，愿意接受心理疏导",
    }
    return {**body, **changes}


async def overdue_ids(visits, worker, as_of):
    rows = await every(
        visits, "/visits/overdue", {"station_id": STATION, "as_of": as_of}, headers=worker
    )
    return {r["household_id"] for r in rows}


async def open_needs(visits, worker):
    return (await visits.get("/needs/open", params={"station_id": STATION}, headers=worker)).json()


async def needs_of(visits, worker, hid, count):
    """The household's open needs once there are `count` of them."""
    mine = [n for n in (await open_needs(visits, worker))["items"] if n["household_id"] == hid]
    return mine if len(mine) == count else None


async def test_next_due_follows_the_tier_and_a_major_change_brings_it_within_24_hours(post):
    high = await post(
        "/households",
        {
            "station_id": STATION,
            "categories": ["solitary_elderly"],
            "head_name": "甲",
            "risk_tier": "high",
            "registered_at": "2024-03-01T09:00:00+08:00",
        },
    )
    assert high.json()["next_due_at"] == "2024-03-08T09:00:00+08:00"
    hid = await new_household(post, "key", registered_at="2024-03-11T09:00:00+08:00")
    r = await post(
        f"/households/{hid}/risk-tier",
        {
            "tier": "high",
            "reason": "hospitalised",
            "major_change": True,
            "assigned_at": "2024-03-12T15:00:00+08:00",
        },
    )
    assert r.status_code == 200 and r.json()["next_due_at"] == "2024-03-13T15:00:00+08:00"


async def test_overdue_visits_come_from_next_due_dates_in_the_read_model(visits, worker, post):
    hid = await new_household(post, "high")  # due 2024-03-08 09:00
    await eventually(lambda: _overdue_has(visits, worker, "2024-03-09T00:00:00+08:00", hid))
    assert hid not in await overdue_ids(visits, worker, "2024-03-07T00:00:00+08:00")
    r = await post(f"/households/{hid}/visits", visit("2024-03-08T08:00:00+08:00"))
    assert r.status_code == 201 and r.json()["next_due_at"] == "2024-03-15T08:00:00+08:00"
    await eventually(lambda: _overdue_lacks(visits, worker, "2024-03-09T00:00:00+08:00", hid))
    assert hid in await overdue_ids(visits, worker, "2024-03-16T00:00:00+08:00")


async def _overdue_has(visits, worker, as_of, hid):
    return hid in await overdue_ids(visits, worker, as_of)


async def _overdue_lacks(visits, worker, as_of, hid):
    return hid not in await overdue_ids(visits, worker, as_of)


async def test_a_follow_up_brings_the_next_visit_forward(post):
    hid = await new_household(post, "general")
    r = await post(f"/households/{hid}/visits", visit(next_follow_up_on="2024-03-15"))
    assert r.json()["next_due_at"] == "2024-03-16T00:00:00+08:00"
    r = await post(
        f"/households/{hid}/follow-ups",
        {"follow_up_on": "2024-03-12", "social_worker_id": "sw-wang"},
    )
    assert r.status_code == 201 and r.json()["next_due_at"] == "2024-03-13T00:00:00+08:00"


async def test_a_scheduled_visit_is_recorded_once_and_a_visit_without_schedule_is_allowed(
    visits, worker, post
):
    hid = await new_household(post)
    plan = {
        "scheduled_for": "2024-03-10",
        "social_worker_id": "sw-wang",
        "purposes": ["needs_assessment", "policy_briefing"],
    }
    scheduled = await post(f"/households/{hid}/visits/scheduled", plan)
    assert scheduled.status_code == 201
    visit_id = scheduled.json()["visit_id"]
    done = await post(f"/households/{hid}/visits", visit(visit_id=visit_id))
    again = await post(f"/households/{hid}/visits", visit(visit_id=visit_id))
    unplanned = await post(f"/households/{hid}/visits", visit(mode="phone"))
    assert (
        done.status_code == 201
        and again.status_code == 409
        and again.json()["rule"] == "VisitAlreadyRecorded"
    )
    assert unplanned.status_code == 201 and unplanned.json()["visit_id"] != visit_id
    rows = await timeline(visits, worker, hid, 5)
    recorded = [e["facts"] for e in rows if e["event_type"] == "VisitRecorded"]
    assert [v["was_scheduled"] for v in recorded] == [True, False]


async def timeline(visits, worker, hid, length):
    async def full():
        rows = await every(visits, f"/households/{hid}/timeline", None, headers=worker)
        return rows if len(rows) == length else None

    return await eventually(full)


async def test_bad_visits_are_refused_naming_the_field(post):
    hid = await new_household(post)
    future = await post(f"/households/{hid}/visits", visit("2999-03-10T10:00:00+08:00"))
    early = await post(f"/households/{hid}/visits", visit(next_follow_up_on="2024-03-09"))
    no_policy = await post(
        f"/households/{hid}/visits", visit(services=[{"kind": "policy_briefing"}])
    )
    bad_mode = await post(f"/households/{hid}/visits", visit(mode="by_letter"))
    assert (future.status_code, future.json()["field"]) == (422, "visited_at")
    assert (early.status_code, early.json()["field"]) == (422, "next_follow_up_on")
    assert (no_policy.status_code, no_policy.json()["field"]) == (422, "services.0.policies")
    assert bad_mode.status_code == 422 and bad_mode.json()["errors"][0]["field"] == "mode"
    await post(f"/households/{hid}/visits", visit("2024-03-12T10:00:00+08:00"))
    before = await post(
        f"/households/{hid}/follow-ups",
        {"follow_up_on": "2024-03-11", "social_worker_id": "sw-wang"},
    )
    assert (before.status_code, before.json()["field"]) == (422, "follow_up_on")


async def test_a_visit_with_one_bad_need_writes_nothing(visits, post):
    hid = await new_household(post)
    version = await store_of(visits.app).version(f"household-{hid}")
    needs = [
        {"category": "medical", "severity": "high"},
        {"category": "care", "severity": "low", "member_id": "nobody"},
    ]
    r = await post(f"/households/{hid}/visits", visit(needs=needs))
    assert r.status_code == 422 and r.json()["field"] == "needs.1.member_id"
    assert await store_of(visits.app).version(f"household-{hid}") == version


async def test_a_retried_visit_returns_the_first_answer_and_appends_nothing(visits, worker, unique):
    hid = await new_household(
        lambda path, body: visits.post(
            path, json=body, headers={**worker, "Idempotency-Key": unique("k")}
        )
    )
    headers = {**worker, "Idempotency-Key": unique("visit")}
    first = await visits.post(f"/households/{hid}/visits", json=visit(), headers=headers)
    retry = await visits.post(f"/households/{hid}/visits", json=visit(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert await store_of(visits.app).version(f"household-{hid}") == first.json()["version"]


async def test_open_needs_are_listed_by_severity_until_resolved_or_closed(visits, worker, post):
    hid = await new_household(post)
    needs = [
        {"category": c, "severity": s}
        for c, s in [
            ("financial", "medium"),
            ("medical", "urgent"),
            ("care", "low"),
            ("psychological", "high"),
        ]
    ]
    r = await post(f"/households/{hid}/visits", visit(needs=needs))
    ids = r.json()["need_ids"]

    listed = await eventually(lambda: needs_of(visits, worker, hid, 4))
    assert [n["severity"] for n in listed] == ["urgent", "high", "medium", "low"]
    assert listed[0]["category_label"] == "医疗" and listed[0]["severity_label"] == "紧急"
    assert (await open_needs(visits, worker))["by_severity"]["urgent"] >= 1
    resolved = await post(
        f"/households/{hid}/needs/{ids[1]}/resolution",
        {"outcome": "assistance_granted", "resolved_on": "2024-03-14"},
    )
    closed = await post(
        f"/households/{hid}/needs/{ids[2]}/closure",
        {"reason": "declined", "closed_on": "2024-03-14"},
    )
    assert resolved.status_code == closed.status_code == 200

    left = await eventually(lambda: needs_of(visits, worker, hid, 2))
    assert {n["need_id"] for n in left} == {ids[0], ids[3]}


async def test_a_settled_need_is_final_and_an_unknown_need_is_404(post):
    hid = await new_household(post)
    made = await post(
        f"/households/{hid}/needs",
        {"category": "housing", "severity": "medium", "identified_on": "2024-03-05"},
    )
    need_id = made.json()["need_id"]
    await post(
        f"/households/{hid}/needs/{need_id}/resolution",
        {"outcome": "service_provided", "resolved_on": "2024-03-06"},
    )
    again = await post(f"/households/{hid}/needs/{need_id}/closure", {"reason": "declined"})
    unknown = await post(
        f"/households/{hid}/needs/nd-missing/resolution", {"outcome": "service_provided"}
    )
    early = await post(
        f"/households/{hid}/needs",
        {"category": "medical", "severity": "low", "identified_on": "2024-03-05"},
    )
    before = await post(
        f"/households/{hid}/needs/{early.json()['need_id']}/closure",
        {"reason": "declined", "closed_on": "2024-03-01"},
    )
    assert again.status_code == 409 and again.json()["rule"] == "NeedAlreadySettled"
    assert unknown.status_code == 404 and unknown.json()["rule"] == "NeedNotFound"
    assert (before.status_code, before.json()["field"]) == (422, "closed_on")


async def test_a_referral_needs_consent_or_a_legal_basis_and_stops_when_consent_is_withdrawn(post):
    hid = await new_household(post)
    need_id = (
        await post(
            f"/households/{hid}/needs",
            {"category": "medical", "severity": "high", "identified_on": "2024-03-05"},
        )
    ).json()["need_id"]
    referral = {
        "agency": "青白石街道社区卫生服务中心",
        "agency_kind": "health",
        "referred_on": "2024-03-07",
    }
    path = f"/households/{hid}/needs/{need_id}/referrals"
    refused = await post(path, referral)
    assert refused.status_code == 409 and refused.json()["rule"] == "ReferralWithoutConsent"
    assert (
        await post(
            f"/households/{hid}/consents",
            {"purpose": "referral", "given_by": "self", "granted_on": "2024-03-06"},
        )
    ).status_code == 201
    referred = await post(path, referral)
    assert referred.status_code == 201
    sharing = await post(path, {**referral, "shares_personal_data": True})
    assert sharing.status_code == 409 and sharing.json()["rule"] == "DataSharingWithoutConsent"
    assert (
        await post(
            f"/households/{hid}/consents/withdrawal",
            {"purpose": "referral", "withdrawn_on": "2024-03-07"},
        )
    ).status_code == 200
    again = await post(path, referral)
    assert again.status_code == 409 and again.json()["rule"] == "ReferralWithoutConsent"
    twice = await post(f"/households/{hid}/consents/withdrawal", {"purpose": "referral"})
    assert twice.status_code == 409 and twice.json()["rule"] == "ConsentNotGranted"
    basis = await post(
        f"/households/{hid}/legal-bases",
        {"purpose": "referral", "basis": "social_assistance_duty", "recorded_on": "2024-03-07"},
    )
    assert basis.status_code == 201
    assert (await post(path, referral)).status_code == 201


async def test_a_child_under_14_consents_through_a_guardian(post):
    hid = await new_household(
        post, members=[{"member_id": "kid", "relation": "grandchild", "birth_year": 2013}]
    )
    need_id = (
        await post(
            f"/households/{hid}/needs",
            {
                "category": "education",
                "severity": "medium",
                "member_id": "kid",
                "identified_on": "2024-03-05",
            },
        )
    ).json()["need_id"]
    by_child = await post(
        f"/households/{hid}/consents",
        {"purpose": "referral", "member_id": "kid", "given_by": "self", "granted_on": "2024-03-06"},
    )
    assert (by_child.status_code, by_child.json()["field"]) == (422, "given_by")
    unnamed = await post(
        f"/households/{hid}/consents",
        {
            "purpose": "referral",
            "member_id": "kid",
            "given_by": "guardian",
            "granted_on": "2024-03-06",
        },
    )
    assert (unnamed.status_code, unnamed.json()["field"]) == (422, "guardian_relation")
    head_only = await post(
        f"/households/{hid}/consents",
        {"purpose": "referral", "given_by": "self", "granted_on": "2024-03-06"},
    )
    assert head_only.status_code == 201
    referral = {"agency": "区教育局", "agency_kind": "education", "referred_on": "2024-03-07"}
    path = f"/households/{hid}/needs/{need_id}/referrals"
    assert (
        await post(path, referral)
    ).status_code == 409  # the head's consent does not cover the child
    guardian = {
        "purpose": "referral",
        "member_id": "kid",
        "given_by": "guardian",
        "guardian_relation": "grandparent",
        "granted_on": "2024-03-06",
    }
    assert (await post(f"/households/{hid}/consents", guardian)).status_code == 201
    assert (await post(path, referral)).status_code == 201
    unknown = await post(f"/households/{hid}/consents", {**guardian, "member_id": "nobody"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "member_id")


async def test_the_timeline_shows_the_household_s_events_in_order_with_notes_opened_for_staff(
    visits, worker, post
):
    hid = await new_household(post)
    await post(
        f"/households/{hid}/visits",
        visit(needs=[{"category": "psychological", "severity": "medium", "notes": "独居后失眠"}]),
    )
    rows = await timeline(visits, worker, hid, 4)
    assert [r["event_type"] for r in rows] == [
        "HouseholdRegistered",
        "RiskTierAssigned",
        "VisitRecorded",
        "NeedIdentified",
    ]
    assert rows[2]["title"] == "走访记录（入户走访）：政策宣传、心理疏导"
    assert rows[2]["facts"]["risks_observed"] == 1 and "notes_sealed" not in rows[2]["facts"]
    assert rows[2]["personal"]["notes"] == "老人情绪低落，愿意接受心理疏导"
    assert rows[2]["personal"]["observations"]["gas_safety"] == "risk"
    assert rows[3]["personal"]["notes"] == "独居后失眠"
    assert rows[0]["personal"]["head_name"] == "测试户主乙"

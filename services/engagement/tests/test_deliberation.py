"""Deliberation through the HTTP API: quorum and votes, resolutions, action items and overdue ones."""

import json

from shegong_testing.fixtures import eventually
from shegong_testing.http import every


async def held_meeting(
    engagement, station, headers, unique, members_total=15, members_present=10, rule=None
):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{station}/meetings/{mid}"
    schedule = {
        "meeting_id": mid,
        "kind": "resident_deliberation",
        "title": "居民议事会",
        "scheduled_on": "2024-03-19",
        "members_total": members_total,
    }
    if rule:
        schedule["quorum_rule"] = rule
    assert (
        await engagement.post(f"/stations/{station}/meetings", json=schedule, headers=headers)
    ).status_code == 201
    held = {"held_on": "2024-03-19", "participants_total": 20, "members_present": members_present}
    assert (await engagement.post(f"{base}/held", json=held, headers=headers)).status_code == 200
    return base


def motion(motion_id, votes_for, against, abstain=0, **extra):
    return {
        "motion_id": motion_id,
        "text": "在小区增设老年活动室",
        "votes_for": votes_for,
        "votes_against": against,
        "abstentions": abstain,
        **extra,
    }


async def test_two_thirds_present_and_a_majority_of_votes_cast_pass_a_motion(
    engagement, stations, tokens, unique
):
    base = await held_meeting(
        engagement, stations.a, tokens["worker_a"], unique, members_total=15, members_present=10
    )
    r = await engagement.post(
        f"{base}/motions", json=motion("m1", 5, 4, 1), headers=tokens["worker_a"]
    )
    assert r.status_code == 201, r.text
    assert r.json()["passed"] is True and r.json()["quorum_met"] is True
    tie = await engagement.post(
        f"{base}/motions", json=motion("m2", 4, 4, 2), headers=tokens["worker_a"]
    )
    assert tie.json()["passed"] is False  # a tie is not a majority


async def test_without_two_thirds_present_no_motion_passes(engagement, stations, tokens, unique):
    base = await held_meeting(
        engagement, stations.a, tokens["worker_a"], unique, members_total=15, members_present=9
    )
    r = await engagement.post(
        f"{base}/motions", json=motion("m1", 9, 0), headers=tokens["worker_a"]
    )
    assert r.status_code == 201
    assert (r.json()["quorum_met"], r.json()["passed"]) == (False, False)

    async def recorded():
        got = (await engagement.get(base, headers=tokens["worker_a"])).json()
        return got.get("motions")

    [row] = await eventually(recorded)
    assert (row["required_present"], row["rule_source"], row["quorum_rule"]["attendance"]) == (
        10,
        "settings",
        "2/3",
    )


async def test_a_station_configured_for_half_attendance_uses_its_own_rule(
    engagement, stations, tokens, unique
):
    base = await held_meeting(
        engagement, stations.half, tokens["worker_a"], unique, members_total=15, members_present=8
    )
    r = await engagement.post(
        f"{base}/motions", json=motion("m1", 5, 3), headers=tokens["worker_a"]
    )
    assert (r.json()["quorum_met"], r.json()["passed"]) == (True, True)


async def test_a_meeting_scheduled_with_its_own_rule_votes_by_it(
    engagement, stations, tokens, unique
):
    rule = {
        "attendance": "1/2",
        "majority": "2/3",
        "majority_base": "members_present",
        "majority_inclusive": True,
    }
    base = await held_meeting(
        engagement,
        stations.a,
        tokens["worker_a"],
        unique,
        members_total=12,
        members_present=9,
        rule=rule,
    )
    short = await engagement.post(
        f"{base}/motions", json=motion("m1", 5, 0, 4), headers=tokens["worker_a"]
    )
    enough = await engagement.post(
        f"{base}/motions", json=motion("m2", 6, 0, 3), headers=tokens["worker_a"]
    )
    assert (short.json()["passed"], enough.json()["passed"]) == (
        False,
        True,
    )  # two thirds of 9 present is 6


async def test_votes_need_a_held_meeting_and_cannot_outnumber_those_present(
    engagement, stations, tokens, unique
):
    base = await held_meeting(
        engagement, stations.a, tokens["worker_a"], unique, members_total=15, members_present=10
    )
    r = await engagement.post(
        f"{base}/motions", json=motion("m1", 8, 3), headers=tokens["worker_a"]
    )
    assert (r.status_code, r.json()["rule"], r.json()["field"]) == (
        422,
        "VotesExceedMembersPresent",
        "votes_for",
    )
    r = await engagement.post(
        f"{base}/motions", json=motion("m1", -1, 3), headers=tokens["worker_a"]
    )
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "votes_for")
    mid = unique("m").replace("_", "-")
    scheduled = {
        "meeting_id": mid,
        "kind": "resident_deliberation",
        "title": "议事会",
        "scheduled_on": "2024-03-25",
    }
    await engagement.post(
        f"/stations/{stations.a}/meetings", json=scheduled, headers=tokens["worker_a"]
    )
    r = await engagement.post(
        f"/stations/{stations.a}/meetings/{mid}/motions",
        json=motion("m1", 1, 0),
        headers=tokens["worker_a"],
    )
    assert (r.status_code, r.json()["rule"]) == (409, "MeetingNotHeld")


async def test_only_a_passed_motion_becomes_a_resolution_once(engagement, stations, tokens, unique):
    base = await held_meeting(engagement, stations.a, tokens["worker_a"], unique)
    await engagement.post(f"{base}/motions", json=motion("yes", 7, 2), headers=tokens["worker_a"])
    await engagement.post(f"{base}/motions", json=motion("no", 2, 7), headers=tokens["worker_a"])

    async def adopt(resolution_id, motion_id, text="x"):
        body = {"resolution_id": resolution_id, "motion_id": motion_id, "text": text}
        return await engagement.post(f"{base}/resolutions", json=body, headers=tokens["worker_a"])

    ok = await adopt("r1", "yes", "增设老年活动室")
    failed = await adopt("r2", "no")
    twice = await adopt("r3", "yes")
    unknown = await adopt("r4", "zz")
    assert ok.status_code == 201
    assert (failed.status_code, failed.json()["rule"]) == (409, "MotionNotPassed")
    assert (twice.status_code, twice.json()["rule"]) == (409, "MotionAlreadyResolved")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "motion_id")


async def test_open_overdue_and_done_action_items_come_out_of_the_read_model(
    engagement, stations, tokens, unique
):
    base = await held_meeting(engagement, stations.b, tokens["worker_b"], unique)
    for action_id, due in (
        ("early", "2024-03-25"),
        ("later", "2024-04-30"),
        ("finished", "2024-03-22"),
    ):
        body = {
            "action_id": action_id,
            "title": f"落实{action_id}",
            "owner_role": "building_head",
            "owner_unit": "大通路社区",
            "owner_name": "张楼长",
            "assigned_on": "2024-03-19",
            "due_on": due,
        }
        assert (
            await engagement.post(f"{base}/action-items", json=body, headers=tokens["worker_b"])
        ).status_code == 201
    done = await engagement.post(
        f"{base}/action-items/finished/done",
        json={"done_on": "2024-03-24"},
        headers=tokens["worker_b"],
    )
    assert done.status_code == 200 and done.json()["late"] is True
    meeting_id = base.rsplit("/", 1)[1]

    async def items(status):
        params = {"station_id": stations.b, "status": status, "as_of": "2024-04-01"}
        rows = await every(engagement, "/action-items", params, headers=tokens["worker_b"])
        return {r["action_id"]: r for r in rows if r["meeting_id"] == meeting_id}

    assert set(await eventually(lambda: items("done"))) == {"finished"}
    assert set(await items("open")) == {"early", "later"}
    overdue = await items("overdue")
    assert set(overdue) == {"early"} and overdue["early"]["days_overdue"] == 7
    assert overdue["early"]["owner_name"] == "张楼长"
    integrator_rows = await every(
        engagement, "/action-items", {"station_id": stations.b}, headers=tokens["integrator"]
    )
    assert all("owner_name" not in r and "owner_name_sealed" not in r for r in integrator_rows)


async def test_action_items_are_done_once_and_never_before_assigned(
    engagement, stations, tokens, unique
):
    base = await held_meeting(engagement, stations.a, tokens["worker_a"], unique)
    body = {
        "action_id": "a1",
        "title": "张贴议事结果",
        "owner_role": "social_worker",
        "assigned_on": "2024-03-19",
        "due_on": "2024-03-26",
    }
    await engagement.post(f"{base}/action-items", json=body, headers=tokens["worker_a"])
    early = await engagement.post(
        f"{base}/action-items/a1/done", json={"done_on": "2024-03-18"}, headers=tokens["worker_a"]
    )
    first = await engagement.post(
        f"{base}/action-items/a1/done", json={"done_on": "2024-03-20"}, headers=tokens["worker_a"]
    )
    again = await engagement.post(
        f"{base}/action-items/a1/done", json={"done_on": "2024-03-21"}, headers=tokens["worker_a"]
    )
    missing = await engagement.post(
        f"{base}/action-items/zz/done", json={}, headers=tokens["worker_a"]
    )
    backwards = await engagement.post(
        f"{base}/action-items",
        json={**body, "action_id": "a2", "due_on": "2024-03-01"},
        headers=tokens["worker_a"],
    )
    assert (early.status_code, early.json()["field"]) == (422, "done_on")
    assert first.status_code == 200 and first.json()["late"] is False
    assert (again.status_code, again.json()["rule"]) == (409, "ActionItemAlreadyDone")
    assert (missing.status_code, missing.json()["rule"]) == (404, "ActionItemNotFound")
    assert (backwards.status_code, backwards.json()["field"]) == (422, "due_on")


async def test_proposers_and_owners_names_are_sealed_in_the_events(
    engagement, stations, tokens, unique
):
    base = await held_meeting(engagement, stations.a, tokens["worker_a"], unique)
    issue = {
        "issue_id": "i1",
        "title": "老年助餐",
        "topic": "为老服务",
        "proposer_role": "resident_representative",
        "proposer_name": "李秀兰",
    }
    assert (
        await engagement.post(f"{base}/issues", json=issue, headers=tokens["worker_a"])
    ).status_code == 201
    rt = engagement.app.state.runtime
    history = await rt.store.load(f"meeting-{base.rsplit('/', 1)[1]}")
    text = json.dumps([e.data for e in history], ensure_ascii=False)
    assert "李秀兰" not in text and "sealed:v1:" in text

    async def proposer():
        got = (await engagement.get(base, headers=tokens["worker_a"])).json()
        return got.get("issues") and got["issues"][0].get("proposer_name")

    assert await eventually(proposer) == "李秀兰"

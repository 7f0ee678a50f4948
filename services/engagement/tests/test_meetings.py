"""Meetings through the HTTP API: scheduled, held or cancelled; read back per station and kind."""

from shegong_testing.fixtures import eventually
from shegong_testing.http import every


def schedule_body(meeting_id, kind="resident_deliberation", **extra):
    return {
        "meeting_id": meeting_id,
        "kind": kind,
        "title": "居民议事会",
        "scheduled_on": "2024-03-19",
        "co_organisers": [{"name": "大通路社区", "kind": "community_committee"}],
        "planned_topics": [{"title": "为老服务"}],
        **extra,
    }


def held_body(**extra):
    return {
        "held_on": "2024-03-19",
        "participants_total": 20,
        "participant_groups": [
            {"role": "community_secretary", "count": 1},
            {"role": "building_head"},
        ],
        "topics": [{"title": "为老服务"}, {"title": "小区文化营造"}],
        "outcomes": [{"kind": "consensus", "text": "把问题解决在家门口"}],
        **extra,
    }


async def test_a_held_meeting_is_counted_by_kind_and_carries_its_record(
    engagement, stations, tokens, unique
):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.b}/meetings"
    assert (
        await engagement.post(
            base, json=schedule_body(mid, "joint_meeting"), headers=tokens["worker_b"]
        )
    ).status_code == 201
    r = await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=tokens["worker_b"])
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["MeetingHeld"]

    async def detail():
        got = await engagement.get(f"{base}/{mid}", headers=tokens["worker_b"])
        return got.status_code == 200 and got.json()["status"] == "held" and got.json()

    row = await eventually(detail)
    assert row["participants_total"] == 20 and row["kind"] == "joint_meeting"
    assert row["co_organisers"][0]["name"] == "大通路社区"  # carried over from the schedule
    assert [t["title"] for t in row["topics"]] == ["为老服务", "小区文化营造"]
    counts = await every(
        engagement, "/meetings/by-kind", {"station_id": stations.b}, headers=tokens["worker_b"]
    )
    joint = next(c for c in counts if c["kind"] == "joint_meeting")
    assert joint["held"] >= 1 and joint["participants"] >= 20


async def test_a_meeting_is_held_once_and_a_held_meeting_cannot_be_cancelled(
    engagement, stations, tokens, unique
):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.a}/meetings"
    await engagement.post(base, json=schedule_body(mid), headers=tokens["worker_a"])
    assert (
        await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=tokens["worker_a"])
    ).status_code == 200
    again = await engagement.post(
        f"{base}/{mid}/held", json=held_body(), headers=tokens["worker_a"]
    )
    cancel = await engagement.post(
        f"{base}/{mid}/cancellation", json={"reason": "下雨"}, headers=tokens["worker_a"]
    )
    assert (again.status_code, again.json()["rule"]) == (409, "MeetingAlreadyHeld")
    assert (cancel.status_code, cancel.json()["rule"]) == (409, "MeetingAlreadyHeld")


async def test_a_cancelled_meeting_takes_no_further_records(engagement, stations, tokens, unique):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.a}/meetings"
    await engagement.post(base, json=schedule_body(mid), headers=tokens["worker_a"])
    r = await engagement.post(
        f"{base}/{mid}/cancellation",
        json={"reason": "场地维修", "cancelled_on": "2024-03-18"},
        headers=tokens["worker_a"],
    )
    assert r.status_code == 200
    held = await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=tokens["worker_a"])
    issue = await engagement.post(
        f"{base}/{mid}/issues",
        json={"issue_id": "i1", "title": "停车难", "proposer_role": "resident"},
        headers=tokens["worker_a"],
    )
    assert (held.status_code, held.json()["rule"]) == (409, "MeetingWasCancelled")
    assert (issue.status_code, issue.json()["rule"]) == (409, "MeetingWasCancelled")


async def test_unknown_meetings_are_not_found_even_under_another_station(
    engagement, stations, tokens, unique
):
    mid = unique("m").replace("_", "-")
    await engagement.post(
        f"/stations/{stations.a}/meetings", json=schedule_body(mid), headers=tokens["admin"]
    )
    missing = await engagement.post(
        f"/stations/{stations.a}/meetings/nope-{mid}/held",
        json=held_body(),
        headers=tokens["admin"],
    )
    elsewhere = await engagement.post(
        f"/stations/{stations.b}/meetings/{mid}/held", json=held_body(), headers=tokens["admin"]
    )
    assert (missing.status_code, missing.json()["rule"]) == (404, "MeetingNotFound")
    assert (elsewhere.status_code, elsewhere.json()["rule"]) == (404, "MeetingNotFound")


async def test_scheduling_twice_conflicts_but_a_retry_with_the_same_key_replays(
    engagement, stations, tokens, unique, key
):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.a}/meetings"
    k = key()
    first = await engagement.post(
        base, json=schedule_body(mid), headers={**tokens["worker_a"], **k}
    )
    retry = await engagement.post(
        base, json=schedule_body(mid), headers={**tokens["worker_a"], **k}
    )
    again = await engagement.post(base, json=schedule_body(mid), headers=tokens["worker_a"])
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert (again.status_code, again.json()["rule"]) == (409, "MeetingAlreadyScheduled")
    reused = await engagement.post(
        base, json=schedule_body(mid, title="别的会"), headers={**tokens["worker_a"], **k}
    )
    assert (reused.status_code, reused.json()["field"]) == (422, "Idempotency-Key")


async def test_bad_meeting_input_names_the_fields_and_changes_nothing(
    engagement, stations, tokens, unique
):
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.a}/meetings"
    body = schedule_body(mid, kind="party", scheduled_on="19 March")
    r = await engagement.post(base, json=body, headers=tokens["worker_a"])
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"kind", "scheduled_on"}
    await engagement.post(base, json=schedule_body(mid), headers=tokens["worker_a"])
    too_many = held_body(
        participants_total=3, participant_groups=[{"role": "resident", "count": 4}]
    )
    r = await engagement.post(f"{base}/{mid}/held", json=too_many, headers=tokens["worker_a"])
    assert (r.status_code, r.json()["field"]) == (422, "participant_groups")
    r = await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=tokens["worker_a"])
    assert r.json()["version"] == 2  # the refused attempt appended nothing


async def test_unknown_stations_are_refused_by_name(engagement, tokens, unique):
    mid = unique("m").replace("_", "-")
    r = await engagement.post(
        "/stations/no-such-station/meetings", json=schedule_body(mid), headers=tokens["admin"]
    )
    assert (r.status_code, r.json()["rule"], r.json()["field"]) == (
        422,
        "UnknownStation",
        "station_id",
    )


async def test_callers_reach_only_their_own_stations(engagement, stations, tokens, unique):
    mid = unique("m").replace("_", "-")
    body = schedule_body(mid)

    async def schedule_at(station, caller=None):
        headers = tokens[caller] if caller else None
        r = await engagement.post(f"/stations/{station}/meetings", json=body, headers=headers)
        return r.status_code

    assert await schedule_at(stations.a) == 401
    assert await schedule_at(stations.a, "worker_b") == 403
    assert await schedule_at(stations.x, "chengguan") == 403
    assert await schedule_at(stations.a, "integrator") == 403
    assert await schedule_at(stations.a, "chengguan") == 201
    assert (
        await engagement.get(
            "/meetings", params={"station_id": stations.a}, headers=tokens["worker_b"]
        )
    ).status_code == 403


async def test_lists_show_only_the_stations_in_scope(engagement, stations, tokens, unique):
    ids = {}
    for station in (stations.a, stations.x):
        ids[station] = unique("m").replace("_", "-")
        await engagement.post(
            f"/stations/{station}/meetings",
            json=schedule_body(ids[station]),
            headers=tokens["admin"],
        )

    async def listed(who):
        rows = await every(engagement, "/meetings", None, headers=tokens[who])
        return {r["meeting_id"] for r in rows} & set(ids.values())

    async def both_listed():
        return await listed("admin") == set(ids.values())

    await eventually(both_listed)
    assert await listed("chengguan") == {ids[stations.a]}
    assert await listed("worker_a") == {ids[stations.a]}
    assert await listed("worker_b") == set()


async def test_holding_follows_if_match_and_answers_the_new_version_as_its_etag(
    engagement, stations, tokens, unique
):
    """The concurrency contract of every command on an existing meeting or volunteer."""
    mid = unique("m").replace("_", "-")
    base = f"/stations/{stations.a}/meetings"
    scheduled = await engagement.post(base, json=schedule_body(mid), headers=tokens["worker_a"])
    assert scheduled.headers["ETag"] == '"1"'
    moved = {**tokens["worker_a"], "If-Match": '"2"'}
    stale = await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=moved)
    assert (stale.status_code, stale.json()["current_version"]) == (409, 1)
    seen = {**tokens["worker_a"], "If-Match": scheduled.headers["ETag"]}
    held = await engagement.post(f"{base}/{mid}/held", json=held_body(), headers=seen)
    assert (held.status_code, held.headers["ETag"]) == (200, '"2"')

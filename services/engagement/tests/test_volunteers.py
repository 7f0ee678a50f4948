"""Volunteers through the HTTP API: enrolment with sealed personal data, sessions and hours, auto-closing."""

import json
from datetime import UTC, datetime, timedelta

from shegong_testing.fixtures import eventually
from shegong_testing.http import every


def at(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()


async def enrolled(engagement, station, headers, unique, **extra):
    vid = unique("v").replace("_", "-")
    body = {
        "volunteer_id": vid,
        "name": "王小明",
        "phone": "13900000000",
        "category": "student",
        "affiliation": "兰州财经大学社会工作协会",
        "skills": ["活动策划"],
        **extra,
    }
    r = await engagement.post(f"/stations/{station}/volunteers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return f"/stations/{station}/volunteers/{vid}"


async def session(engagement, base, headers, sid, start_hours_ago, end_hours_ago=None):
    r = await engagement.post(
        f"{base}/sessions",
        json={"session_id": sid, "checked_in_at": at(start_hours_ago), "activity": "社区活动"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    if end_hours_ago is not None:
        return await engagement.post(
            f"{base}/sessions/{sid}/check-out",
            json={"checked_out_at": at(end_hours_ago)},
            headers=headers,
        )
    return r


async def test_names_and_phones_are_sealed_in_events_and_opened_only_for_station_staff(
    engagement, stations, tokens, unique
):
    base = await enrolled(engagement, stations.a, tokens["worker_a"], unique)
    rt = engagement.app.state.runtime
    [event] = await rt.store.load(f"volunteer-{base.rsplit('/', 1)[1]}")
    text = json.dumps(event.data, ensure_ascii=False)
    assert "王小明" not in text and "13900000000" not in text
    assert event.data["affiliation"] == "兰州财经大学社会工作协会"

    async def detail(who):
        r = await engagement.get(base, headers=tokens[who])
        return r.status_code == 200 and r.json()

    staff = await eventually(lambda: detail("worker_a"))
    assert (staff["name"], staff["phone"]) == ("王小明", "13900000000")
    integrator = await detail("integrator")
    assert not {"name", "phone", "name_sealed", "phone_sealed"} & set(integrator)
    assert (await engagement.get(base, headers=tokens["worker_b"])).status_code == 403


async def test_hours_add_up_per_volunteer_and_per_station(engagement, stations, tokens, unique):
    headers = tokens["worker_b"]
    before = await every(engagement, "/hours", {"station_id": stations.b}, headers=headers)
    start = before[0]["minutes"] if before else 0
    base = await enrolled(engagement, stations.b, headers, unique)
    first = await session(engagement, base, headers, "s1", 7.9, 5.9)  # two hours
    second = await session(engagement, base, headers, "s2", 5.5, 5)  # half an hour
    assert (first.json()["minutes"], second.json()["minutes"]) == (120, 30)

    async def volunteer():
        got = (await engagement.get(base, headers=headers)).json()
        return got.get("sessions") == 2 and got

    row = await eventually(volunteer)
    assert row["minutes"] == 150 and [s["minutes"] for s in row["service_sessions"]] == [120, 30]
    station = await every(engagement, "/hours", {"station_id": stations.b}, headers=headers)
    assert station[0]["minutes"] - start >= 150


async def test_one_session_open_at_a_time_and_sessions_do_not_overlap(
    engagement, stations, tokens, unique
):
    headers = tokens["worker_a"]
    base = await enrolled(engagement, stations.a, headers, unique)
    await session(engagement, base, headers, "s1", 3)
    second = await session_attempt(engagement, base, headers, "s2", 2)
    assert (second.status_code, second.json()["rule"]) == (409, "SessionAlreadyOpen")
    await engagement.post(
        f"{base}/sessions/s1/check-out", json={"checked_out_at": at(1)}, headers=headers
    )
    overlapping = await session_attempt(engagement, base, headers, "s3", 2)
    assert (overlapping.status_code, overlapping.json()["field"]) == (422, "checked_in_at")
    backwards = await session(engagement, base, headers, "s4", 0.5)
    r = await engagement.post(
        f"{base}/sessions/s4/check-out", json={"checked_out_at": at(1)}, headers=headers
    )
    assert backwards.status_code == 201 and (r.status_code, r.json()["rule"]) == (
        422,
        "CheckOutBeforeCheckIn",
    )
    future = await engagement.post(
        f"{base}/sessions/s4/check-out", json={"checked_out_at": at(-2)}, headers=headers
    )
    assert (future.status_code, future.json()["rule"]) == (422, "TimeInFuture")
    naive = await engagement.post(
        f"{base}/sessions/s4/check-out",
        json={"checked_out_at": "2024-03-16T10:00:00"},
        headers=headers,
    )
    assert (naive.status_code, naive.json()["errors"][0]["field"]) == (422, "checked_out_at")


async def session_attempt(engagement, base, headers, sid, hours_ago):
    return await engagement.post(
        f"{base}/sessions",
        json={"session_id": sid, "checked_in_at": at(hours_ago), "activity": "社区活动"},
        headers=headers,
    )


async def test_a_late_check_out_closes_the_session_at_the_limit_and_flags_it(
    engagement, stations, tokens, unique
):
    headers = tokens["worker_a"]
    base = await enrolled(engagement, stations.a, headers, unique)
    # checked in just inside the limit, so the sweeper leaves it; checked out just past it
    r = await session(engagement, base, headers, "s1", 8 - 1 / 60, -2 / 60)
    assert r.status_code == 200, r.text
    assert (r.json()["minutes"], r.json()["auto_closed"]) == (8 * 60, True)


async def test_a_session_left_open_is_closed_by_the_sweeper_at_the_limit(
    engagement, stations, tokens, unique
):
    headers = tokens["worker_a"]
    base = await enrolled(engagement, stations.a, headers, unique)
    await session(engagement, base, headers, "forgotten", 10)

    async def closed():
        got = (await engagement.get(base, headers=headers)).json()
        return got.get("auto_closed_sessions") == 1 and got

    row = await eventually(closed)
    [s] = row["service_sessions"]
    assert s["auto_closed"] is True and s["minutes"] == 480 and row["open_session_id"] is None
    late = await engagement.post(
        f"{base}/sessions/forgotten/check-out", json={"checked_out_at": at(0)}, headers=headers
    )
    assert (late.status_code, late.json()["rule"]) == (409, "SessionAlreadyClosed")


async def test_trainings_are_recorded_once_and_counted(engagement, stations, tokens, unique):
    headers = tokens["worker_a"]
    base = await enrolled(engagement, stations.a, headers, unique)
    body = {
        "training_id": "t1",
        "title": "“走进社区”实务能力提升共学坊",
        "attended_on": "2024-03-16",
        "minutes": 120,
    }
    assert (
        await engagement.post(f"{base}/trainings", json=body, headers=headers)
    ).status_code == 201
    again = await engagement.post(f"{base}/trainings", json=body, headers=headers)
    assert (again.status_code, again.json()["rule"]) == (409, "TrainingAlreadyRecorded")

    async def counted():
        got = (await engagement.get(base, headers=headers)).json()
        return got.get("trainings") == 1 and got

    assert (await eventually(counted))["training_minutes"] == 120
    missing = await engagement.post(
        f"/stations/{stations.a}/volunteers/nobody-{unique('v')[2:]}/trainings",
        json=body,
        headers=headers,
    )
    assert (missing.status_code, missing.json()["rule"]) == (404, "VolunteerNotFound")


async def test_bad_enrolment_names_the_fields(engagement, stations, tokens):
    body = {"name": "", "phone": "call me", "category": "alien"}
    r = await engagement.post(
        f"/stations/{stations.a}/volunteers", json=body, headers=tokens["worker_a"]
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"name", "phone", "category"}

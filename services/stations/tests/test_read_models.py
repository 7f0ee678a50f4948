"""Read models per station, rolled up per district and city, from the three domains' events."""

from datetime import date

import nats
from shegong_events import engagement as eng
from shegong_events import registry as reg
from shegong_events import visits as vis
from shegong_runtime import generations
from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from . import builders as b
from .recorder import Recorder, noon

ON = {"on": "2024-03-21"}  # a Thursday: the week runs from Monday 03-18


async def publish(settings, recorder):
    nc = await nats.connect(settings.nats_url)
    try:
        await recorder.publish(nc, settings)
    finally:
        await nc.close()


async def figures_when(board, headers, station_id, ready, params=ON):
    async def check():
        r = await board.get(f"/stations/{station_id}", params=params, headers=headers)
        return r.json() if r.status_code == 200 and ready(r.json()) else None

    return await eventually(check)


async def test_a_station_shows_its_households_visits_needs_meetings_and_volunteers(
    board, admin, settings, ids
):
    sid, r = ids("st"), Recorder(ids("ev"))
    b.open_station(r, sid, ids("d"))
    # two households: one overdue for a visit since 03-10, one visited this week and earlier this month
    b.household(
        r,
        sid,
        "h1",
        ("minimum_living_allowance", "solitary_elderly"),
        "high",
        due=date(2024, 3, 10),
    )
    b.household(r, sid, "h2", ("left_behind_elderly",), "general")
    b.visit(r, sid, "h2", "v1", date(2024, 3, 19))
    b.visit(r, sid, "h2", "v2", date(2024, 3, 5), observed=False)
    b.visit(r, sid, "h2", "v3", date(2024, 2, 27))
    # needs: urgent and open, high and referred, low and resolved
    b.need(r, sid, "h1", "n1", "urgent", date(2024, 3, 19), "medical")
    b.need(r, sid, "h2", "n2", "high", date(2024, 3, 12))
    b.need(r, sid, "h2", "n3", "low", date(2024, 3, 1))
    r.add(
        vis.NeedReferred(
            need_id="n2",
            category="financial",
            severity="high",
            agency="区民政局",
            agency_kind="civil_affairs",
            referred_on=date(2024, 3, 14),
            lawful_basis="consent",
        ),
        "h2",
        sid,
        date(2024, 3, 14),
    )
    r.add(
        vis.NeedResolved(
            need_id="n3",
            category="financial",
            severity="low",
            outcome="assistance_granted",
            resolved_on=date(2024, 3, 8),
        ),
        "h2",
        sid,
        date(2024, 3, 8),
    )
    # organisations: one approved, one returned, one pending
    for oid in ("o1", "o2", "o3"):
        b.org_filed(r, sid, f"{r.prefix}-{oid}", date(2024, 3, 1))
    r.add(
        reg.OrgFilingApproved(
            filing_number=f"{sid}-2024-0001", name="o1队", category="culture_sports"
        ),
        f"{r.prefix}-o1",
        sid,
        date(2024, 3, 6),
    )
    r.add(reg.OrgFilingReturned(reasons=["章程不完整"]), f"{r.prefix}-o2", sid, date(2024, 3, 25))
    # meetings: a deliberation this month, a workshop last month, a meeting only scheduled
    b.meeting(r, sid, f"{r.prefix}-m1", "resident_deliberation", date(2024, 3, 19), 15)
    b.meeting(r, sid, f"{r.prefix}-m2", "volunteer_workshop", date(2024, 2, 20), 10)
    r.add(
        eng.MeetingScheduled(kind="joint_meeting", title="联席会", scheduled_on=date(2024, 3, 28)),
        f"{r.prefix}-m3",
        sid,
        date(2024, 3, 15),
    )
    # action items of the deliberation: one overdue, one done on time
    for action, due in (("a1", date(2024, 3, 20)), ("a2", date(2024, 3, 30))):
        r.add(
            eng.ActionItemAssigned(
                action_id=action,
                title="整改楼道",
                owner_role="building_head",
                assigned_on=date(2024, 3, 19),
                due_on=due,
            ),
            f"{r.prefix}-m1",
            sid,
            date(2024, 3, 19),
        )
    r.add(
        eng.ActionItemDone(
            action_id="a2",
            title="整改楼道",
            due_on=date(2024, 3, 30),
            done_on=date(2024, 3, 20),
            late=False,
        ),
        f"{r.prefix}-m1",
        sid,
        date(2024, 3, 20),
    )
    # volunteers: two enrolled, 90 minutes of service this month
    b.volunteer(r, sid, f"{r.prefix}-vol1", date(2024, 2, 1))
    b.volunteer(r, sid, f"{r.prefix}-vol2", date(2024, 3, 2))
    b.session(r, sid, f"{r.prefix}-vol1", "s1", noon(date(2024, 3, 20)), 90)
    # two evaluations: the later one is the latest
    for n, (day, avg) in enumerate(((date(2023, 9, 1), 70), (date(2024, 3, 8), 90))):
        scores = reg.EvaluationScores(
            administration=avg,
            finance=avg,
            service_delivery=avg,
            social_evaluation=avg,
            publicity_innovation=avg,
        )
        r.add(
            reg.StationEvaluated(
                district_id="xx",
                kind="midterm",
                period=str(day.year),
                scores=scores,
                reviewer="评估组",
                evaluated_on=day,
                exemplary=avg > 80,
            ),
            f"{r.prefix}-e{n}",
            sid,
            day,
        )
    await publish(settings, r)

    expected = {
        "households": {
            "total": 2,
            "by_category": {
                "minimum_living_allowance": 1,
                "solitary_elderly": 1,
                "left_behind_elderly": 1,
            },
            "by_risk_tier": {"high": 1, "general": 1},
        },
        "visits": {
            "this_week": 1,
            "this_month": 2,
            "overdue": 1,
            "households_visited_this_month": 1,
        },
        "needs": {"open": 2, "urgent": 1, "by_severity": {"urgent": 1, "high": 1}},
        # the return on 03-25 lies after the day looked at, but the board shows the present status
        "organisations": {"total": 3, "by_status": {"approved": 1, "returned": 1, "pending": 1}},
        "meetings": {
            "this_month": {"resident_deliberation": {"meetings": 1, "participants": 15}},
            "total": {
                "resident_deliberation": {"meetings": 1, "participants": 15},
                "volunteer_workshop": {"meetings": 1, "participants": 10},
            },
        },
        "action_items": {"open": 1, "overdue": 1, "done": 1},
        "volunteers": {
            "enrolled": 2,
            "hours_this_month": 1.5,
            "hours_total": 1.5,
            "certificates": 0,
        },
    }
    page = await figures_when(
        board,
        admin,
        sid,
        lambda p: shown(p) == expected and p["evaluation"] and p["evaluation"]["average"] == 90,
        params=ON,
    )
    assert shown(page) == expected
    assert [n["need_id"] for n in page["urgent_needs"]] == ["n1"]
    assert page["evaluation"]["evaluated_on"] == "2024-03-08"
    checks = {
        c["key"]: (c["done"], c["of"]) for d in page["completeness"].values() for c in d["checks"]
    }
    assert checks["visits_with_observations"] == (2, 3)
    assert checks["needs_acted_in_time"] == (2, 2)
    assert checks["action_items_on_time"] == (1, 2)
    assert page["completeness"]["finance"]["score"] is None


def shown(page):
    return {k: v for k, v in page["figures"].items() if k != "records"}


async def test_district_and_city_add_up_their_stations(board, admin, settings, ids):
    district, r = ids("d"), Recorder(ids("ev"))
    a, c = ids("st"), ids("st")
    for sid, visits in ((a, 2), (c, 3)):
        b.open_station(r, sid, district)
        b.household(r, sid, f"{r.prefix}-{sid}-h")
        for i in range(visits):
            b.visit(r, sid, f"{r.prefix}-{sid}-h", f"v{i}", date(2024, 3, 18 + i))
        b.meeting(r, sid, f"{r.prefix}-{sid}-m", "joint_meeting", date(2024, 3, 19), 10 * visits)
    await publish(settings, r)

    async def rolled():
        body = (await board.get(f"/districts/{district}", params=ON, headers=admin)).json()
        f = body.get("figures", {})
        ready = (
            f.get("visits", {}).get("this_week") == 5
            and f["meetings"]["this_month"] == expected_meetings
        )
        return body if ready else None

    expected_meetings = {"joint_meeting": {"meetings": 2, "participants": 50}}

    body = await eventually(rolled)
    assert [p["station"]["station_id"] for p in body["items"]] == sorted([a, c])
    assert body["figures"]["households"]["total"] == 2
    city = (await board.get("/city", params=ON, headers=admin)).json()
    listed = {p["station"]["station_id"] for p in await every(board, "/city", ON, headers=admin)}
    assert {a, c} <= listed
    assert city["figures"]["visits"]["this_week"] >= 5


async def test_a_rollup_adds_up_every_station_but_answers_a_page_of_them(
    board, admin, settings, ids
):
    """A city of a thousand stations answers a page's size: the district's figures add up all
    its stations, its `items` are a page of them, and `next` walks the rest once each."""
    district, r = ids("d"), Recorder(ids("ev"))
    many = sorted(ids("st") for _ in range(5))
    for sid in many:
        b.open_station(r, sid, district)
        b.household(r, sid, f"{r.prefix}-{sid}-h")
        b.visit(r, sid, f"{r.prefix}-{sid}-h", "v0", date(2024, 3, 18))
    await publish(settings, r)

    async def first_page():
        got = await board.get(f"/districts/{district}", params={**ON, "limit": 2}, headers=admin)
        body = got.json()
        f = body.get("figures", {})
        done = f.get("households", {}).get("total") == 5 and f["visits"]["this_week"] == 5
        return (got, body) if done else None

    got, body = await eventually(first_page)
    assert [p["station"]["station_id"] for p in body["items"]] == many[:2]
    assert body["evaluations"]["stations"] == 5
    assert body["next"] and f"cursor={body['next']}" in got.headers["link"]
    walked = await every(board, f"/districts/{district}", {**ON, "limit": 2}, headers=admin)
    assert [p["station"]["station_id"] for p in walked] == many


async def test_events_that_arrive_before_their_station_still_count(
    board, admin, settings, ids, pool
):
    sid, r = ids("st"), Recorder(ids("ev"))
    b.household(r, sid, f"{r.prefix}-h")
    b.visit(r, sid, f"{r.prefix}-h", "v1", date(2024, 3, 19))
    await publish(settings, r)

    async def visit_applied():
        schema = await generations.live_schema(pool, "stations_board")
        return await pool.fetchval(
            f"SELECT count(*) FROM {schema}.visits WHERE station_id = $1", sid
        )

    await eventually(visit_applied)
    assert await _status(board, admin, sid, 404)  # the board has not learned the station yet
    late = Recorder(ids("ev"))
    b.open_station(late, sid, ids("d"))
    await publish(settings, late)
    page = await figures_when(board, admin, sid, lambda p: True)
    assert page["figures"]["visits"]["this_week"] == 1
    assert page["figures"]["households"]["total"] == 1


async def _status(board, headers, sid, status):
    return (await board.get(f"/stations/{sid}", params=ON, headers=headers)).status_code == status


async def test_an_erased_household_leaves_the_counts_and_its_needs_close(
    board, admin, settings, ids
):
    sid, r = ids("st"), Recorder(ids("ev"))
    b.open_station(r, sid, ids("d"))
    b.household(r, sid, f"{r.prefix}-gone")
    b.household(r, sid, f"{r.prefix}-stays")
    b.need(r, sid, f"{r.prefix}-gone", "n1", "urgent", date(2024, 3, 18))
    await publish(settings, r)
    await figures_when(board, admin, sid, lambda p: p["figures"]["needs"]["urgent"] == 1)
    erase = Recorder(f"{r.prefix}-erase")
    erase.versions = dict(r.versions)
    erase.add(
        vis.HouseholdErased(reason="subject_request", erased_at=noon(date(2024, 3, 20))),
        f"{r.prefix}-gone",
        sid,
        date(2024, 3, 20),
    )
    await publish(settings, erase)
    page = await figures_when(board, admin, sid, lambda p: p["figures"]["needs"]["urgent"] == 0)
    assert page["figures"]["households"]["total"] == 1
    assert page["urgent_needs"] == []


async def test_completeness_compares_stations_from_what_they_recorded(board, admin, settings, ids):
    district, r = ids("d"), Recorder(ids("ev"))
    careful, hasty = ids("st"), ids("st")
    for sid, observed in ((careful, True), (hasty, False)):
        b.open_station(r, sid, district)
        b.household(r, sid, f"{r.prefix}-{sid}")
        b.visit(r, sid, f"{r.prefix}-{sid}", "v1", date(2024, 3, 19), observed=observed)
        outcomes = [eng.Outcome(kind="decision", text="下周再议")] if observed else []
        groups = [eng.ParticipantGroup(role="resident", count=12)] if observed else []
        b.meeting(
            r,
            sid,
            f"{r.prefix}-{sid}-m",
            "resident_deliberation",
            date(2024, 3, 19),
            12,
            outcomes=outcomes,
            participant_groups=groups,
            summary="会议纪要" if observed else None,
        )
    await publish(settings, r)

    async def compared():
        rows = await every(board, "/completeness", {**ON, "district": district}, headers=admin)
        scored = {row["station"]["station_id"]: row["completeness"] for row in rows}
        return (
            scored
            if len(scored) == 2 and all(shares(c) == shares_when_done for c in scored.values())
            else None
        )

    def shares(c):  # how many records each check has looked at
        return {k["key"]: k["of"] for d in c.values() for k in d["checks"] if k["of"]}

    shares_when_done = {
        "visits_with_observations": 1,
        "meetings_with_outcomes": 1,
        "meetings_with_participants": 1,
        "deliberations_with_resolutions": 1,
        "meetings_with_summary": 1,
        "meetings_with_topics": 1,
    }

    scored = await eventually(compared)
    assert scored[careful]["service_delivery"]["score"] == 1.0
    assert scored[hasty]["service_delivery"]["score"] == 0.0
    assert (
        scored[careful]["publicity_innovation"]["score"]
        > scored[hasty]["publicity_innovation"]["score"]
    )
    assert scored[careful]["social_evaluation"]["score"] == 1.0
    assert scored[hasty]["social_evaluation"]["score"] == 0.0

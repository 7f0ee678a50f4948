"""Every step of the filing lifecycle over HTTP against real PostgreSQL and NATS: the legal ones
move the organisation on, the illegal ones answer 409 (404 for an unknown organisation) with the
rule's name and write nothing."""

import re

import pytest

COMMANDS = ["file", "return", "resubmit", "approve", "change", "convert", "deregister"]
LEGAL = {
    ("pending", "return"): "returned",
    ("pending", "approve"): "approved",
    ("returned", "resubmit"): "pending",
    ("approved", "change"): "approved",
    ("approved", "convert"): "volunteer_team",
    ("approved", "deregister"): "deregistered",
    ("volunteer_team", "change"): "volunteer_team",
    ("volunteer_team", "deregister"): "deregistered",
}
ILLEGAL = {
    "pending": {
        "file": "OrgAlreadyFiled",
        "resubmit": "FilingNotReturned",
        "change": "OrgNotRegistered",
        "convert": "OrgNotRegistered",
        "deregister": "OrgNotRegistered",
    },
    "returned": {
        "file": "OrgAlreadyFiled",
        "return": "FilingNotPending",
        "approve": "FilingNotPending",
        "change": "OrgNotRegistered",
        "convert": "OrgNotRegistered",
        "deregister": "OrgNotRegistered",
    },
    "approved": {
        "file": "OrgAlreadyFiled",
        "return": "FilingNotPending",
        "resubmit": "FilingNotReturned",
        "approve": "FilingNotPending",
    },
    "volunteer_team": {
        "file": "OrgAlreadyFiled",
        "return": "FilingNotPending",
        "resubmit": "FilingNotReturned",
        "approve": "FilingNotPending",
        "convert": "OrgAlreadyVolunteerTeam",
    },
    "deregistered": {"file": "OrgAlreadyFiled"}
    | dict.fromkeys(COMMANDS[1:], "OrgAlreadyDeregistered"),
}


def test_the_tables_cover_every_state_and_command():
    for state, refused in ILLEGAL.items():
        allowed = {c for (s, c) in LEGAL if s == state}
        assert allowed | set(refused) == set(COMMANDS) and not allowed & set(refused)


async def command(desk, name, org_id):
    if name == "file":  # the same organisation id filing again, under a fresh name
        return await desk.file(org_id=org_id)
    return await desk.step(name, org_id)


@pytest.mark.parametrize("state,name", sorted(LEGAL))
async def test_a_legal_step_moves_the_organisation_on(desk, stored, pool, state, name):
    org_id = await desk.in_state(state)
    before = len(await stored(pool, org_id))
    r = await command(desk, name, org_id)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == LEGAL[(state, name)]
    assert r.json()["version"] == before + 1 == len(await stored(pool, org_id))


async def test_filing_a_new_organisation_answers_201_pending(desk, stored, pool):
    org_id = desk.new_id()
    r = await desk.file(org_id=org_id)
    assert r.status_code == 201, r.text
    assert r.json() | {"name": None} == {
        "organisation_id": org_id,
        "station_id": desk.stations.a,
        "version": 1,
        "status": "pending",
        "name": None,
        "filing_number": None,
    }
    assert [e["event_type"] for e in await stored(pool, org_id)] == ["OrgFiled"]


@pytest.mark.parametrize("state", sorted(ILLEGAL))
async def test_an_illegal_step_is_refused_by_name_and_writes_nothing(desk, stored, pool, state):
    org_id = await desk.in_state(state)
    history = await stored(pool, org_id)
    for name, error in ILLEGAL[state].items():
        r = await command(desk, name, org_id)
        assert (r.status_code, r.json()["rule"]) == (409, error), (name, r.text)
    assert await stored(pool, org_id) == history


@pytest.mark.parametrize("name", COMMANDS[1:])
async def test_a_step_on_an_unknown_organisation_is_not_found(desk, name):
    r = await command(desk, name, desk.new_id())
    assert (r.status_code, r.json()["rule"]) == (404, "OrganisationNotFound")


async def test_a_step_through_another_station_does_not_find_the_organisation(desk, stored, pool):
    org_id = await desk.in_state("pending")
    r = await desk.step("approve", org_id, station=desk.stations.b, headers=desk.tokens.admin)
    assert (r.status_code, r.json()["rule"]) == (404, "OrganisationNotFound")
    assert len(await stored(pool, org_id)) == 1


async def test_a_step_at_a_stale_expected_version_loses_with_409_and_the_current_version(desk):
    org_id = await desk.in_state("approved")
    r = await desk.step("change", org_id, body={"members": 40, "expected_version": 1})
    assert r.status_code == 409 and r.json()["current_version"] == 2
    ok = await desk.step("change", org_id, body={"members": 40, "expected_version": 2})
    assert ok.status_code == 200 and ok.json()["version"] == 3


async def test_a_step_follows_if_match_and_answers_its_new_version_as_the_etag(desk):
    """One concurrency contract: If-Match, as on every command on an existing aggregate (the
    body's `expected_version` above stays accepted, deprecated)."""
    org_id = await desk.in_state("approved")
    lead = desk.tokens.lead_a
    stale = await desk.step("change", org_id, {"members": 40}, headers={**lead, "If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    ok = await desk.step("change", org_id, {"members": 40}, headers={**lead, "If-Match": '"2"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"3"'
    await desk.read(org_id, lambda o: o["version"] == 3)  # the reading gives it as its ETag too
    read = await desk.client.get(
        f"/stations/{desk.stations.a}/organisations/{org_id}", headers=desk.tokens.admin
    )
    assert read.headers["ETag"] == '"3"'


async def test_the_whole_lifecycle_reads_back_as_one_timeline(desk):
    org_id, name = desk.new_id(), desk.new_name("邻里互助队")
    steps = [
        (
            "return",
            {"reasons": ["章程摘要未写明活动频次", "成员人数有误"], "occurred_at": "2024-03-20"},
        ),
        ("resubmit", {"members": 18, "charter_summary": "每周三活动", "occurred_at": "2024-03-21"}),
        ("approve", {"occurred_at": "2024-03-22T09:00:00+08:00"}),
        ("change", {"responsible_person": "新负责人", "members": 22, "occurred_at": "2024-04-01"}),
        (
            "convert",
            {
                "team_name": f"{name}志愿服务队",
                "volunteers": 22,
                "service_focus": "邻里互助",
                "occurred_at": "2024-05-01",
            },
        ),
        ("deregister", {"reason": "并入街道志愿服务总队", "occurred_at": "2024-12-01"}),
    ]
    assert (
        await desk.file(org_id=org_id, name=name, category="mutual_aid", occurred_at="2024-03-19")
    ).status_code == 201
    for step, body in steps:
        r = await desk.step(step, org_id, body=body)
        assert r.status_code == 200, r.text
    number = re.fullmatch(
        rf"{desk.stations.a}-2024-(\d{{4}})",
        (await desk.read(org_id, lambda o: o["version"] == 7))["filing_number"],
    )
    assert number, "filing number keeps the <station>-<year>-<sequence> format"

    r = await desk.client.get(
        f"/stations/{desk.stations.a}/organisations/{org_id}/timeline", headers=desk.tokens.lead_a
    )
    timeline = r.json()
    assert timeline["status"] == "deregistered"
    assert [e["event_type"] for e in timeline["items"]] == [
        "OrgFiled",
        "OrgFilingReturned",
        "OrgFilingResubmitted",
        "OrgFilingApproved",
        "OrgChanged",
        "OrgConvertedToVolunteerTeam",
        "OrgDeregistered",
    ]
    assert timeline["items"][1]["details"]["reasons"] == ["章程摘要未写明活动频次", "成员人数有误"]
    assert timeline["items"][4]["details"]["personal_data_sealed"] == ["responsible_person"]
    assert "新负责人" not in r.text and "测试负责人" not in r.text
    assert timeline["items"][0]["occurred_at"].startswith(
        "2024-03-18T16:00:00"
    )  # 2024-03-19 00:00 in UTC+8

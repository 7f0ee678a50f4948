"""Every reading answers what its OpenAPI document says (the answer models, closed to extra
fields), for a station's staff, a bureau and an integrator alike."""

import uuid
from functools import partial

import pytest
from pydantic import TypeAdapter
from shegong_runtime.paging import Page
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer
from shegong_visits.entrypoints.http import answers

STATION = f"an-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: "chengguan"}) as client:
        yield client


@pytest.fixture(scope="module")
def readers(settings):
    return {
        "worker": bearer(settings, "social_worker", [STATION], subject="sw-an"),
        "lead": bearer(settings, "station_lead", [STATION], subject="lead-an"),
        "district": bearer(settings, "district_officer", district="chengguan", subject="qu-an"),
        "integrator": bearer(settings, "integrator", subject="int-an"),
    }


def conforms(model, data) -> None:
    TypeAdapter(model).validate_python(data)


async def test_each_reading_and_command_answers_its_documented_model(visits, readers, unique):
    worker = readers["worker"]
    # a household registered, with a member, a visit that found a need, and that need referred
    made = await visits.post(
        "/households",
        json={
            "station_id": STATION,
            "categories": ["minimum_living_allowance"],
            "head_name": "测试户主丙",
            "phone": "13800000003",
            "members": [{"member_id": "m1", "relation": "child", "birth_year": 2001, "name": "子"}],
            "registered_at": "2024-03-01T09:00:00+08:00",
        },
        headers={**worker, "Idempotency-Key": unique("key")},
    )
    assert made.status_code == 201, made.text
    conforms(answers.HouseholdChanged, made.json())
    hid = made.json()["household_id"]
    visit = await visits.post(
        f"/households/{hid}/visits",
        json={
            "visited_at": "2024-03-10T10:00:00+08:00",
            "mode": "home_visit",
            "social_worker_ids": ["sw-an"],
            "observations": {"health": "risk", "notes": "需要关注"},
            "needs": [{"category": "medical", "severity": "urgent", "notes": "腿伤"}],
        },
        headers=worker,
    )
    assert visit.status_code == 201, visit.text
    conforms(answers.HouseholdChanged, visit.json())
    await visits.post(
        f"/households/{hid}/legal-bases",
        json={"purpose": "referral", "basis": "social_assistance_duty"},
        headers=worker,
    )
    need_id = visit.json()["need_ids"][0]
    referred = await visits.post(
        f"/households/{hid}/needs/{need_id}/referrals",
        json={"agency": "西固区残疾人联合会", "agency_kind": "disabled_persons_federation"},
        headers=worker,
    )
    assert referred.status_code == 201, referred.text
    conforms(answers.HouseholdChanged, referred.json())

    async def timeline_complete(headers):
        r = await visits.get(f"/households/{hid}/timeline", headers=headers)
        return r.json() if len(r.json()["items"]) == 6 else None

    for who, headers in readers.items():
        params = {"station_id": STATION}
        detail = await visits.get(f"/households/{hid}", headers=headers)
        conforms(answers.HouseholdDetail, detail.json())
        conforms(Page[answers.TimelineEntry], await eventually(partial(timeline_complete, headers)))
        listed = await visits.get("/households", params=params, headers=headers)
        conforms(Page[answers.HouseholdRow], listed.json())
        overdue = await visits.get("/visits/overdue", params=params, headers=headers)
        conforms(Page[answers.OverdueHousehold], overdue.json())
        assert overdue.json()["items"], who
        needs = await visits.get("/needs/open", params=params, headers=headers)
        conforms(answers.OpenNeeds, needs.json())
        assert needs.json()["items"], who
    export = await visits.get(f"/households/{hid}/export", headers=readers["lead"])
    assert export.status_code == 200, export.text
    conforms(answers.Export, export.json())

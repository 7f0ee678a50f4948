"""Households through the visits HTTP API: registration, scope, bad input, idempotency, races."""

import asyncio
import uuid

import pytest
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, store_of

STATION = f"hh-{uuid.uuid4().hex[:8]}"
OTHER = f"hh-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: "chengguan", OTHER: "xigu"}) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(settings):
    return {
        "worker": bearer(settings, "social_worker", [STATION], subject="sw-li"),
        "other_worker": bearer(settings, "social_worker", [OTHER], subject="sw-ma"),
        "district": bearer(settings, "district_officer", district="chengguan", subject="qu-mzj"),
        "integrator": bearer(settings, "integrator", subject="int-1"),
    }


def household(station=STATION, **changes):
    body = {
        "station_id": station,
        "categories": ["minimum_living_allowance", "solitary_elderly"],
        "community": "测试社区",
        "head_name": "测试户主甲",
        "phone": "13800000001",
        "address": "兰州市城关区测试路1号",
        "id_number": "62010219500101001X",
        "members": [
            {"member_id": "m1", "relation": "grandchild", "birth_year": 2015, "name": "测试孙辈"}
        ],
        "registered_at": "2024-03-01T09:00:00+08:00",
    }
    return {**body, **changes}


def key(unique):
    return {"Idempotency-Key": unique("key")}


async def register(visits, tokens, unique, **changes):
    r = await visits.post(
        "/households", json=household(**changes), headers={**tokens["worker"], **key(unique)}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def listed_row(visits, headers, hid):
    """The household's row in its station's list, once the read model has it."""

    async def row():
        rows = await every(visits, "/households", {"station_id": STATION}, headers=headers)
        return [r for r in rows if r["household_id"] == hid]

    return (await eventually(row))[0]


async def test_registered_household_is_listed_at_its_station_with_personal_data_for_staff(
    visits, tokens, unique
):
    made = await register(visits, tokens, unique)
    assert made["events"] == ["HouseholdRegistered", "RiskTierAssigned"]
    row = await listed_row(visits, tokens["worker"], made["household_id"])
    assert row["head_name"] == "测试户主甲" and row["phone"] == "13800000001"
    assert row["category_labels"] == ["低保家庭", "独居老人"]  # the shared glossary's word
    assert row["risk_tier"] == "general" and row["member_count"] == 2
    detail = (
        await visits.get(f"/households/{made['household_id']}", headers=tokens["district"])
    ).json()
    assert (  # a bureau sees ID numbers masked
        detail["id_number"] == "620***********001X" and detail["members"][0]["name"] == "测试孙辈"
    )


async def test_integrators_see_households_without_personal_data(visits, tokens, unique):
    made = await register(visits, tokens, unique)
    row = await listed_row(visits, tokens["integrator"], made["household_id"])
    assert not {"head_name", "phone", "address", "id_number"} & set(row)
    detail = (
        await visits.get(f"/households/{made['household_id']}", headers=tokens["integrator"])
    ).json()
    assert "head_name" not in detail and "name" not in detail["members"][0]


async def test_bad_registration_names_each_field_and_writes_nothing(visits, tokens, unique):
    hid = unique("hh")
    body = household(
        household_id=hid, categories=["unemployed"], id_number="12345", phone="call me"
    )
    r = await visits.post("/households", json=body, headers=tokens["worker"])
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"categories.0", "id_number", "phone"}
    assert (await visits.get(f"/households/{hid}", headers=tokens["worker"])).status_code == 404


async def test_registration_dated_in_the_future_is_refused_before_any_key_exists(
    visits, tokens, unique
):
    hid = unique("hh")
    r = await visits.post(
        "/households",
        json=household(household_id=hid, registered_at="2999-01-01T00:00:00+08:00"),
        headers=tokens["worker"],
    )
    assert r.status_code == 422 and r.json()["field"] == "registered_at"
    rt = runtime(visits.app)
    assert (
        await rt.pool.fetchval(
            "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1", f"household:{hid}"
        )
        == 0
    )


async def test_registration_at_a_station_the_registry_never_opened_is_refused(
    visits, settings, unique
):
    ghost = unique("ghost").replace("_", "-")
    city = bearer(settings, "city_admin")
    r = await visits.post("/households", json=household(station=ghost), headers=city)
    assert (
        r.status_code == 422
        and r.json()["rule"] == "UnknownStation"
        and r.json()["field"] == "station_id"
    )


async def test_registering_a_household_twice_is_a_conflict_and_a_retry_is_not(
    visits, tokens, unique
):
    hid = unique("hh")
    k = key(unique)
    first = await visits.post(
        "/households", json=household(household_id=hid), headers={**tokens["worker"], **k}
    )
    retry = await visits.post(
        "/households", json=household(household_id=hid), headers={**tokens["worker"], **k}
    )
    again = await visits.post(
        "/households", json=household(household_id=hid), headers=tokens["worker"]
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert again.status_code == 409 and again.json()["rule"] == "HouseholdAlreadyRegistered"
    assert await store_of(visits.app).version(f"household-{hid}") == 2


async def test_an_idempotency_key_reused_for_another_request_is_refused(visits, tokens, unique):
    k = key(unique)
    first = await visits.post("/households", json=household(), headers={**tokens["worker"], **k})
    other = await visits.post(
        "/households", json=household(head_name="别的户主"), headers={**tokens["worker"], **k}
    )
    assert first.status_code == 201
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


async def test_unknown_household_is_404_for_reads_and_commands(visits, tokens, unique):
    hid = unique("nohh")
    assert (await visits.get(f"/households/{hid}", headers=tokens["worker"])).status_code == 404
    assert (
        await visits.get(f"/households/{hid}/timeline", headers=tokens["worker"])
    ).status_code == 404
    r = await visits.post(
        f"/households/{hid}/risk-tier",
        json={"tier": "high", "reason": "hospitalised"},
        headers=tokens["worker"],
    )
    assert r.status_code == 404 and r.json()["rule"] == "HouseholdNotFound"


async def test_callers_reach_only_their_stations_and_every_route_needs_a_token(
    visits, tokens, unique
):
    made = await register(visits, tokens, unique)
    hid = made["household_id"]
    assert (await visits.get(f"/households/{hid}")).status_code == 401
    assert (await visits.post("/households", json=household())).status_code == 401
    assert (
        await visits.get(f"/households/{hid}", headers=tokens["other_worker"])
    ).status_code == 403
    r = await visits.post(
        f"/households/{hid}/risk-tier",
        json={"tier": "high", "reason": "hospitalised"},
        headers=tokens["other_worker"],
    )
    assert r.status_code == 403
    assert (
        await visits.post("/households", json=household(), headers=tokens["other_worker"])
    ).status_code == 403
    assert (
        await visits.get(
            "/households", params={"station_id": STATION}, headers=tokens["other_worker"]
        )
    ).status_code == 403
    assert (await visits.get(f"/households/{hid}", headers=tokens["district"])).status_code == 200


async def test_update_changes_categories_members_and_personal_data(visits, tokens, unique):
    hid = (await register(visits, tokens, unique))["household_id"]
    body = {"categories": ["temporary_assistance"], "phone": "13900000002", "members": []}
    r = await visits.post(
        f"/households/{hid}/updates", json=body, headers={**tokens["worker"], **key(unique)}
    )
    assert r.status_code == 200, r.text
    detail = (await visits.get(f"/households/{hid}", headers=tokens["worker"])).json()
    assert detail["categories"] == ["temporary_assistance"] and detail["member_count"] == 1
    assert detail["phone"] == "13900000002" and detail["head_name"] == "测试户主甲"
    empty = await visits.post(f"/households/{hid}/updates", json={}, headers=tokens["worker"])
    assert empty.status_code == 422 and empty.json()["rule"] == "NothingToUpdate"


async def test_a_writer_holding_a_stale_version_gets_409_with_the_current_version(
    visits, tokens, unique
):
    made = await register(visits, tokens, unique)
    hid, seen = made["household_id"], made["version"]
    tier = {"tier": "key", "reason": "periodic_review"}
    first = await visits.post(
        f"/households/{hid}/risk-tier",
        json=tier,
        headers={**tokens["worker"], "If-Match": str(seen)},
    )
    stale = await visits.post(
        f"/households/{hid}/risk-tier",
        json=tier,
        headers={**tokens["worker"], "If-Match": str(seen)},
    )
    assert first.status_code == 200 and first.headers["ETag"] == f'"{seen + 1}"'
    assert stale.status_code == 409
    assert stale.json()["current_version"] == seen + 1 and stale.json()["expected_version"] == seen


async def test_a_retry_behind_its_own_if_match_gets_its_answer_not_a_409(visits, tokens, unique):
    made = await register(visits, tokens, unique)
    hid, seen = made["household_id"], made["version"]
    headers = {**tokens["worker"], "If-Match": f'"{seen}"', **key(unique)}
    tier = {"tier": "key", "reason": "periodic_review"}
    first = await visits.post(f"/households/{hid}/risk-tier", json=tier, headers=headers)
    retry = await visits.post(f"/households/{hid}/risk-tier", json=tier, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert retry.headers["ETag"] == first.headers["ETag"] == f'"{seen + 1}"'


async def test_two_writers_racing_at_one_version_give_one_success_and_one_409(
    visits, tokens, unique
):
    made = await register(visits, tokens, unique)
    hid, seen = made["household_id"], str(made["version"])
    headers = {**tokens["worker"], "If-Match": seen}
    answers = await asyncio.gather(
        visits.post(
            f"/households/{hid}/risk-tier",
            json={"tier": "high", "reason": "hospitalised"},
            headers=headers,
        ),
        visits.post(
            f"/households/{hid}/risk-tier",
            json={"tier": "key", "reason": "periodic_review"},
            headers=headers,
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await store_of(visits.app).version(f"household-{hid}") == made["version"] + 1


async def test_an_if_match_that_is_not_a_version_names_the_header(visits, tokens, unique):
    hid = (await register(visits, tokens, unique))["household_id"]
    r = await visits.post(
        f"/households/{hid}/risk-tier",
        json={"tier": "high", "reason": "hospitalised"},
        headers={**tokens["worker"], "If-Match": "yesterday"},
    )
    assert r.status_code == 422 and r.json()["field"] == "If-Match"

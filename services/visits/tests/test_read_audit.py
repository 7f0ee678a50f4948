"""The read audit: reading a household's personal data leaves one record that names the reader,
the household's id, route and purpose, and nothing personal; leads and officers query it."""

import json
import uuid

import asyncpg
import pytest
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every

STATION, OTHER = f"ra-{uuid.uuid4().hex[:8]}", f"rb-{uuid.uuid4().hex[:8]}"
DISTRICT, OTHER_DISTRICT = "chengguan", "xigu"
CANARIES = {
    "head_name": f"审计户主{uuid.uuid4().hex[:6]}",
    "phone": "13912341234",
    "address": f"兰州市审计路{uuid.uuid4().hex[:6]}号",
    "id_number": "620102195505051234",
}


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: DISTRICT, OTHER: OTHER_DISTRICT}) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(settings):
    return {
        "worker": bearer(settings, "social_worker", [STATION], subject="sw-audit"),
        "lead": bearer(settings, "station_lead", [STATION], subject="lead-audit"),
        "other_lead": bearer(settings, "station_lead", [OTHER], subject="lead-other"),
        "officer": bearer(settings, "district_officer", district=DISTRICT, subject="officer-audit"),
        "other_officer": bearer(
            settings, "district_officer", district=OTHER_DISTRICT, subject="officer-x"
        ),
        "integrator": bearer(settings, "integrator", subject="integrator-audit"),
    }


@pytest.fixture(scope="module")
async def household(visits, tokens):
    body = {"station_id": STATION, "categories": ["minimum_living_allowance"], **CANARIES}
    r = await visits.post("/households", json=body, headers=tokens["worker"])
    assert r.status_code == 201, r.text
    return r.json()["household_id"]


async def audit_rows(visits, hid):
    rt = runtime(visits.app)
    return [
        dict(r)
        for r in await rt.pool.fetch(
            "SELECT * FROM visits.read_audit WHERE subject_id = $1 ORDER BY audit_id",
            f"household:{hid}",
        )
    ]


async def test_reading_a_households_personal_data_leaves_one_record_with_no_personal_data(
    visits, tokens, household
):
    before = len(await audit_rows(visits, household))
    r = await visits.get(
        f"/households/{household}", headers={**tokens["worker"], "X-Purpose": "follow_up"}
    )
    assert r.status_code == 200 and r.json()["head_name"] == CANARIES["head_name"]
    rows = await audit_rows(visits, household)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row["reader"], row["reader_role"], row["reader_stations"]) == (
        "sw-audit",
        "social_worker",
        [STATION],
    )
    assert (row["subject_id"], row["station_id"], row["district_id"]) == (
        f"household:{household}",
        STATION,
        DISTRICT,
    )
    assert (row["route"], row["purpose"]) == ("/households/{household_id}", "follow_up")
    text = json.dumps(row, default=str, ensure_ascii=False)
    escaped = json.dumps(row, default=str)
    for value in CANARIES.values():
        assert value not in text and json.dumps(value)[1:-1] not in escaped


async def test_a_read_without_personal_data_is_not_recorded(visits, tokens, household):
    before = len(await audit_rows(visits, household))
    r = await visits.get(f"/households/{household}", headers=tokens["integrator"])
    assert r.status_code == 200 and CANARIES["phone"] not in r.text
    assert len(await audit_rows(visits, household)) == before


async def test_a_purpose_must_be_a_code_not_free_text(visits, tokens, household):
    r = await visits.get(
        f"/households/{household}", params={"purpose": "call 13900001111"}, headers=tokens["worker"]
    )
    assert r.status_code == 422 and r.json()["field"] == "purpose"


async def test_leads_see_their_stations_records_and_officers_their_districts(
    visits, tokens, household
):
    await visits.get(f"/households/{household}", headers={**tokens["worker"], "X-Purpose": "visit"})
    subject = f"household:{household}"

    async def seen(who: str, **params) -> list:
        r = await visits.get(
            "/audit/reads", params={"subject_id": subject, **params}, headers=tokens[who]
        )
        assert r.status_code == 200, r.text
        return r.json()["items"]

    assert await seen("lead") and await seen("lead", station_id=STATION)
    assert await seen("officer")
    assert await seen("other_lead") == [] and await seen("other_officer") == []
    r = await visits.get(
        "/audit/reads", params={"station_id": STATION}, headers=tokens["other_lead"]
    )
    assert r.status_code == 403
    for who in ("worker", "integrator"):
        assert (await visits.get("/audit/reads", headers=tokens[who])).status_code == 403


async def test_the_audit_is_append_only(visits, household):
    rt = runtime(visits.app)
    for statement in (
        "UPDATE visits.read_audit SET purpose = 'x'",
        "DELETE FROM visits.read_audit",
        "TRUNCATE visits.read_audit",
    ):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await rt.pool.execute(statement)


async def test_station_staff_see_numbers_and_bureaus_see_them_masked(
    visits, tokens, settings, household
):
    worker = (await visits.get(f"/households/{household}", headers=tokens["worker"])).json()
    assert (worker["phone"], worker["id_number"]) == (CANARIES["phone"], CANARIES["id_number"])
    city = bearer(settings, "city_admin", subject="city-audit")
    for headers in (tokens["officer"], city):
        seen = (await visits.get(f"/households/{household}", headers=headers)).json()
        assert (seen["phone"], seen["id_number"]) == ("139****1234", "620***********1234")
        assert seen["head_name"] == CANARIES["head_name"]  # names stay: the follow-up needs them

        async def listing(headers=headers):  # the list is a read model: poll until it has the row
            rows = await every(visits, "/households", {"station_id": STATION}, headers=headers)
            return rows if any(r["household_id"] == household for r in rows) else None

        listed = await eventually(listing)
        row = next(r for r in listed if r["household_id"] == household)
        assert row["phone"] == "139****1234" and CANARIES["id_number"] not in str(listed)
        timeline = (await visits.get(f"/households/{household}/timeline", headers=headers)).text
        assert CANARIES["phone"] not in timeline and CANARIES["id_number"] not in timeline
    integrator = (await visits.get(f"/households/{household}", headers=tokens["integrator"])).json()
    assert "phone" not in integrator and "head_name" not in integrator

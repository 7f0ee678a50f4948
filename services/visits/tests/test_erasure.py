"""PIPL erasure: the household's key is destroyed, personal rows are purged from the read model,
and loading the household afterwards shows redacted fields and never fails."""

import uuid

import pytest
from shegong_runtime import generations
from shegong_runtime.crypto import REDACTED
from shegong_runtime.projection import rebuild
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, keys_of, store_of
from shegong_visits.projections import TABLES
from shegong_visits.views import READ_MODEL

STATION = f"er-{uuid.uuid4().hex[:8]}"
PERSONAL = {
    "head_name": "删除测试户主",
    "phone": "13722223333",
    "address": "兰州市城关区删除测试路8号",
    "id_number": "620102195505050000",
}


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: "chengguan"}) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(settings):
    return {
        "worker": bearer(settings, "social_worker", [STATION], subject="sw-zhao"),
        "lead": bearer(settings, "station_lead", [STATION], subject="lead-zhou"),
    }


async def household_with_a_week(visits, tokens, unique):
    """Registered with personal data, visited with notes, one need open; read model caught up."""
    headers = tokens["worker"]
    body = {
        "station_id": STATION,
        "categories": ["solitary_elderly"],
        "risk_tier": "high",
        "registered_at": "2024-03-18T09:00:00+08:00",
        **PERSONAL,
        "members": [
            {"member_id": "m1", "relation": "child", "birth_year": 1980, "name": "删除测试子女"}
        ],
    }
    hid = (
        await visits.post(
            "/households", json=body, headers={**headers, "Idempotency-Key": unique("k")}
        )
    ).json()["household_id"]
    visit = {
        "visited_at": "2024-03-19T10:00:00+08:00",
        "mode": "home_visit",
        "social_worker_ids": ["sw-zhao"],
        "notes": "独居，子女在外地",
        "needs": [{"category": "care", "severity": "urgent", "notes": "需要助餐"}],
    }
    assert (
        await visits.post(f"/households/{hid}/visits", json=visit, headers=headers)
    ).status_code == 201

    async def caught_up():
        rows = await every(visits, f"/households/{hid}/timeline", None, headers=headers)
        listed = await every(visits, "/households", {"station_id": STATION}, headers=headers)
        return len(rows) == 4 and any(r["household_id"] == hid and r["head_name"] for r in listed)

    await eventually(caught_up)
    return hid


async def erase(visits, tokens, hid, **headers):
    return await visits.post(
        f"/households/{hid}/erasure",
        json={"reason": "subject_request"},
        headers={**tokens["lead"], **headers},
    )


async def read_model_text(rt, hid) -> str:
    """Every read-model row of the household, as text."""
    s = await generations.live_schema(rt.pool, READ_MODEL.name)
    parts = []
    for table in TABLES:
        parts += [
            r["t"]
            for r in await rt.pool.fetch(
                f"SELECT t::text AS t FROM {s}.{table} t WHERE household_id = $1", hid
            )
        ]
    return "\n".join(parts)


async def purged(rt, hid, sealed) -> bool:
    """The read model has applied the erasure and holds none of the household's sealed values."""
    s = await generations.live_schema(rt.pool, READ_MODEL.name)
    erased = await rt.pool.fetchval(
        f"SELECT erased FROM {s}.households WHERE household_id = $1", hid
    )
    text = await read_model_text(rt, hid)
    return bool(erased) and not any(v in text for v in sealed)


async def sealed_values(rt, hid) -> list[str]:
    rows = await rt.pool.fetch(
        "SELECT data::text AS d FROM visits.event_log WHERE aggregate_id = $1", hid
    )
    return [token.split('"')[0] for r in rows for token in r["d"].split('"sealed:v1:')[1:]]


async def test_erasing_destroys_the_key_and_loading_shows_redacted_fields(visits, tokens, unique):
    hid = await household_with_a_week(visits, tokens, unique)
    rt = runtime(visits.app)
    sealed = await sealed_values(rt, hid)
    before = await read_model_text(rt, hid)
    assert len(sealed) >= 6 and all(v in before for v in sealed[:2])
    r = await erase(visits, tokens, hid)
    assert r.status_code == 200 and r.json()["events"] == ["NeedClosed", "HouseholdErased"]
    assert (
        await rt.pool.fetchval(
            "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1", f"household:{hid}"
        )
        == 0
    )
    assert [
        await keys_of(visits.app).open(f"household:{hid}", f"sealed:v1:{v}") for v in sealed
    ] == [None] * len(sealed)
    detail = await visits.get(f"/households/{hid}", headers=tokens["worker"])
    assert detail.status_code == 200 and detail.json()["erased"] is True
    assert {k: detail.json()[k] for k in PERSONAL} == dict.fromkeys(PERSONAL, REDACTED)
    assert detail.json()["members"][0]["name"] == REDACTED


async def test_erasure_purges_the_household_s_personal_rows_from_the_read_model(
    visits, tokens, unique
):
    hid = await household_with_a_week(visits, tokens, unique)
    rt = runtime(visits.app)
    sealed = await sealed_values(rt, hid)
    assert (await erase(visits, tokens, hid)).status_code == 200

    await eventually(lambda: purged(rt, hid, sealed))
    headers = tokens["worker"]
    listed = await every(visits, "/households", {"station_id": STATION}, headers=headers)
    assert hid not in {r["household_id"] for r in listed}
    erased = [
        r
        for r in await every(
            visits, "/households", {"station_id": STATION, "include_erased": True}, headers=headers
        )
        if r["household_id"] == hid
    ]
    assert erased[0]["erased"] and erased[0]["head_name"] == REDACTED
    timeline = await every(visits, f"/households/{hid}/timeline", None, headers=headers)
    assert (
        timeline[0]["personal"]["head_name"] == REDACTED
        and timeline[2]["personal"]["notes"] == REDACTED
    )
    overdue = await every(visits, "/visits/overdue", {"station_id": STATION}, headers=headers)
    needs = (
        await visits.get("/needs/open", params={"station_id": STATION}, headers=headers)
    ).json()["items"]
    assert hid not in {r["household_id"] for r in overdue} | {n["household_id"] for n in needs}


async def test_a_rebuilt_read_model_keeps_the_erased_household_purged(visits, tokens, unique):
    hid = await household_with_a_week(visits, tokens, unique)
    rt = runtime(visits.app)
    sealed = await sealed_values(rt, hid)
    assert (await erase(visits, tokens, hid)).status_code == 200
    await eventually(lambda: purged(rt, hid, sealed))  # the erasure is in the stream
    before = await generations.live(rt.pool, READ_MODEL.name)
    await rebuild(READ_MODEL, rt.pool, rt.nc, rt.settings, grace_s=0.5)
    assert await generations.live(rt.pool, READ_MODEL.name) == before + 1
    assert await purged(rt, hid, sealed)
    assert "HouseholdRegistered" in await read_model_text(rt, hid)
    detail = (await visits.get(f"/households/{hid}", headers=tokens["worker"])).json()
    assert detail["head_name"] == REDACTED


async def test_an_erased_household_takes_no_more_commands_and_is_erased_once(
    visits, tokens, unique
):
    hid = await household_with_a_week(visits, tokens, unique)
    key = {"Idempotency-Key": unique("erase")}
    first = await erase(visits, tokens, hid, **key)
    retry = await erase(visits, tokens, hid, **key)
    again = await erase(visits, tokens, hid)
    assert (
        first.status_code == retry.status_code == 200
        and retry.headers["Idempotent-Replayed"] == "true"
    )
    assert again.status_code == 409 and again.json()["rule"] == "HouseholdAlreadyErased"
    update = await visits.post(
        f"/households/{hid}/updates", json={"phone": "13700000000"}, headers=tokens["worker"]
    )
    visit = await visits.post(
        f"/households/{hid}/visits",
        json={
            "visited_at": "2024-03-20T10:00:00+08:00",
            "mode": "phone",
            "social_worker_ids": ["sw-zhao"],
        },
        headers=tokens["worker"],
    )
    assert (
        update.status_code == visit.status_code == 409
        and update.json()["rule"] == "HouseholdAlreadyErased"
    )
    assert await store_of(visits.app).version(f"household-{hid}") == first.json()["version"]


async def test_only_station_leads_and_bureaus_erase_households(visits, tokens, unique):
    hid = await household_with_a_week(visits, tokens, unique)
    r = await visits.post(
        f"/households/{hid}/erasure", json={"reason": "subject_request"}, headers=tokens["worker"]
    )
    assert r.status_code == 403
    bad = await visits.post(
        f"/households/{hid}/erasure", json={"reason": "because"}, headers=tokens["lead"]
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
    assert (await visits.get(f"/households/{hid}", headers=tokens["worker"])).json()[
        "head_name"
    ] == PERSONAL["head_name"]


async def test_an_erased_household_s_id_is_not_registered_again_and_no_key_comes_back(
    visits, tokens, unique
):
    hid = await household_with_a_week(visits, tokens, unique)
    assert (await erase(visits, tokens, hid)).status_code == 200
    again = await visits.post(
        "/households",
        json={
            "household_id": hid,
            "station_id": STATION,
            "categories": ["solitary_elderly"],
            **PERSONAL,
        },
        headers=tokens["worker"],
    )
    assert again.status_code == 409 and again.json()["rule"] == "HouseholdAlreadyErased"
    rt = runtime(visits.app)
    assert (
        await rt.pool.fetchval(
            "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1", f"household:{hid}"
        )
        == 0
    )

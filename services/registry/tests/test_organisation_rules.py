"""What every command of the registry owes its callers: idempotency, clear 422s that change
nothing, scope by role and station, and the responsible person sealed everywhere but an
authorised read."""

import asyncio

import pytest
from nats.js.errors import NotFoundError
from shegong_testing.fixtures import eventually

# ── idempotency ──


async def test_a_retried_filing_answers_the_first_answer_and_files_once(desk, stored, pool):
    org_id, key = desk.new_id(), desk.new_id("key")
    body = desk.filing(org_id)
    first = await desk.client.post(
        f"/stations/{desk.stations.a}/organisations",
        json=body,
        headers={**desk.tokens.lead_a, "Idempotency-Key": key},
    )
    retry = await desk.client.post(
        f"/stations/{desk.stations.a}/organisations",
        json=body,
        headers={**desk.tokens.lead_a, "Idempotency-Key": key},
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert len(await stored(pool, org_id)) == 1


async def test_racing_retries_without_an_organisation_id_file_one_organisation(desk, pool):
    name, key = desk.new_name(), desk.new_id("key")
    body = desk.filing(name=name) | {"organisation_id": None}
    body = {k: v for k, v in body.items() if v is not None}
    responses = await asyncio.gather(
        *(
            desk.client.post(
                f"/stations/{desk.stations.a}/organisations",
                json=body,
                headers={**desk.tokens.lead_a, "Idempotency-Key": key},
            )
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["organisation_id"] for r in responses}) == 1
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM registry.event_log WHERE event_type = 'OrgFiled' AND data->>'name' = $1",
            name,
        )
        == 1
    )


async def test_a_key_reused_for_another_request_is_refused(desk):
    key = desk.new_id("key")
    assert (await desk.file(key=key)).status_code == 201
    r = await desk.file(key=key)
    assert (r.status_code, r.json()["rule"], r.json()["field"]) == (
        422,
        "IdempotencyKeyReused",
        "Idempotency-Key",
    )


# ── bad input ──


@pytest.mark.parametrize(
    "overrides,fields",
    [
        ({"category": "dance"}, {"category"}),
        ({"members": 0, "name": None}, {"members", "name"}),
        ({"responsible_phone": "call me"}, {"responsible_phone"}),
        ({"org_id": "Has Spaces"}, {"organisation_id"}),
        ({"charter_summary": "", "surprise": 1}, {"charter_summary", "surprise"}),
    ],
)
async def test_a_bad_filing_names_its_fields_and_files_nothing(
    desk, stored, pool, overrides, fields
):
    r = await desk.file(**overrides)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == fields


async def test_bad_steps_name_their_fields_and_write_nothing(desk, stored, pool):
    org_id = await desk.in_state("pending")
    for step, body, field in [
        ("return", {"reasons": []}, "reasons"),
        ("return", {"reasons": [""]}, "reasons.0"),
        ("approve", {"occurred_at": "yesterday"}, "occurred_at"),
        ("approve", {"expected_version": 0}, "expected_version"),
    ]:
        r = await desk.step(step, org_id, body=body)
        assert r.status_code == 422 and field in {e["field"] for e in r.json()["errors"]}, r.text
    approved = await desk.in_state("approved")
    r = await desk.step("change", approved, body={"note": "没有变化"})
    assert (r.status_code, r.json()["rule"]) == (422, "NothingToChange")
    assert len(await stored(pool, org_id)) == 1 and len(await stored(pool, approved)) == 2


async def test_a_filing_at_an_unknown_station_is_refused(desk, stored, pool):
    org_id = desk.new_id()
    r = await desk.file(org_id=org_id, station="st-never-opened", headers=desk.tokens.admin)
    assert (r.status_code, r.json()["rule"], r.json()["field"]) == (
        422,
        "UnknownStation",
        "station_id",
    )
    assert await stored(pool, org_id) == []


# ── scope ──


async def test_every_route_needs_a_token(desk):
    base = f"/stations/{desk.stations.a}/organisations"
    assert (await desk.client.post(base, json=desk.filing())).status_code == 401
    assert (await desk.client.get(base)).status_code == 401
    assert (await desk.client.get("/organisations/pending?older_than_days=1")).status_code == 401


async def test_staff_file_only_at_their_own_stations(desk):
    r = await desk.file(station=desk.stations.b, headers=desk.tokens.worker_a)
    assert (r.status_code, r.json()["field"]) == (403, "station_id")
    assert (await desk.file(headers=desk.tokens.worker_a)).status_code == 201


async def test_social_workers_file_and_resubmit_but_reviewers_return_approve_and_deregister(desk):
    worker = desk.tokens.worker_a
    org_id = desk.new_id()
    assert (await desk.file(org_id=org_id, headers=worker)).status_code == 201
    for step in ("return", "approve"):
        assert (await desk.step(step, org_id, headers=worker)).status_code == 403
    assert (await desk.step("return", org_id, headers=desk.tokens.lead_a)).status_code == 200
    assert (await desk.step("resubmit", org_id, headers=worker)).status_code == 200
    assert (await desk.step("approve", org_id, headers=desk.tokens.officer_a)).status_code == 200
    assert (await desk.step("deregister", org_id, headers=worker)).status_code == 403


async def test_district_officers_reach_only_their_district(desk):
    org_id = await desk.in_state("pending")
    r = await desk.step("approve", org_id, headers=desk.tokens.officer_b)
    assert r.status_code == 403
    base = f"/stations/{desk.stations.a}/organisations"
    assert (await desk.client.get(base, headers=desk.tokens.officer_b)).status_code == 403
    assert (await desk.client.get(base, headers=desk.tokens.officer_a)).status_code == 200


async def test_integrators_read_but_never_write(desk):
    assert (await desk.file(headers=desk.tokens.integrator)).status_code == 403
    r = await desk.client.get(
        f"/stations/{desk.stations.a}/organisations", headers=desk.tokens.integrator
    )
    assert r.status_code == 200


# ── personal data ──


async def test_the_responsible_person_is_sealed_in_store_read_model_and_bus(desk, pool, nc):
    person, phone = f"负责人{desk.new_id()}", "13912345678"
    org_id = desk.new_id()
    assert (
        await desk.file(org_id=org_id, responsible_person=person, responsible_phone=phone)
    ).status_code == 201
    await desk.read(org_id)
    stored = await pool.fetchval(
        "SELECT data::text FROM registry.event_log WHERE aggregate_id = $1", org_id
    )
    read_model = await pool.fetchval(
        "SELECT row_to_json(o)::text FROM registry_organisations_g1.organisations o WHERE organisation_id = $1",
        org_id,
    )
    js = nc.jetstream()
    msg = await eventually(lambda: _last(js, f"sw.registry.{desk.stations.a}.OrgFiled.{org_id}"))
    for text in (stored, read_model, msg.data.decode()):
        assert person not in text and phone not in text and "sealed:v1:" in text


async def _last(js, subject):
    try:
        return await js.get_last_msg("SW_REGISTRY", subject)
    except NotFoundError:
        return None


async def test_staff_see_the_responsible_person_and_integrators_do_not(desk):
    org_id = desk.new_id()
    assert (await desk.file(org_id=org_id, responsible_person="李某某")).status_code == 201
    await desk.read(org_id)
    path = f"/stations/{desk.stations.a}/organisations/{org_id}"
    staff = (await desk.client.get(path, headers=desk.tokens.worker_a)).json()
    outsider = (await desk.client.get(path, headers=desk.tokens.integrator)).json()
    assert (staff["responsible_person"], staff["responsible_phone"]) == ("李某某", "13900000000")
    assert "responsible_person" not in outsider and "李某某" not in str(outsider)

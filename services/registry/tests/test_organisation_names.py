"""An organisation's name is unique among the active organisations of its station, also when
filings of one name race: exactly one is accepted, the others answer 409 and leave nothing."""

import asyncio


async def names_held(pool, station_id, org_ids):
    return await pool.fetchval(
        "SELECT count(*) FROM registry.org_names WHERE station_id = $1 AND organisation_id = ANY($2)",
        station_id,
        list(org_ids),
    )


async def test_concurrent_filings_of_one_name_accept_exactly_one(desk, stored, pool):
    name = desk.new_name("福利路银龄合唱团")
    org_ids = [desk.new_id() for _ in range(8)]
    responses = await asyncio.gather(*(desk.file(org_id=o, name=name) for o in org_ids))
    accepted = [o for o, r in zip(org_ids, responses, strict=True) if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert len(accepted) == 1, [r.text for r in responses]
    assert {(r.status_code, r.json()["rule"], r.json()["field"]) for r in refused} == {
        (409, "OrgNameTaken", "name")
    }
    for org_id in org_ids:  # nothing half-written: only the winner has events and a name
        assert len(await stored(pool, org_id)) == (1 if org_id in accepted else 0)
    assert await names_held(pool, desk.stations.a, org_ids) == 1


async def test_a_name_differing_only_in_spaces_case_or_width_is_the_same_name(desk):
    name = desk.new_name("ＡＢＣ 舞蹈队")
    assert (await desk.file(name=name)).status_code == 201
    r = await desk.file(name=f"  {name.replace(' ', '').replace('ＡＢＣ', 'abc')} ")
    assert (r.status_code, r.json()["rule"]) == (409, "OrgNameTaken")


async def test_the_same_name_is_free_in_another_station(desk):
    name = desk.new_name()
    assert (await desk.file(name=name)).status_code == 201
    assert (
        await desk.file(name=name, station=desk.stations.b, headers=desk.tokens.admin)
    ).status_code == 201


async def test_a_returned_filing_still_holds_its_name(desk):
    name = desk.new_name()
    await desk.in_state("returned", name=name)
    r = await desk.file(name=name)
    assert (r.status_code, r.json()["rule"]) == (409, "OrgNameTaken")


async def test_deregistration_frees_the_name_for_a_new_filing(desk):
    name = desk.new_name()
    await desk.in_state("deregistered", name=name)
    assert (await desk.file(name=name)).status_code == 201


async def test_renaming_onto_a_taken_name_is_refused_and_writes_nothing(desk, stored, pool):
    taken = desk.new_name()
    await desk.in_state("pending", name=taken)
    for state, step, body in [
        ("approved", "change", {"name": taken}),
        ("returned", "resubmit", {"name": taken}),
        ("approved", "convert", {"team_name": taken, "volunteers": 5, "service_focus": "助老"}),
    ]:
        org_id = await desk.in_state(state)
        history = await stored(pool, org_id)
        r = await desk.step(step, org_id, body=body)
        assert (r.status_code, r.json()["rule"]) == (409, "OrgNameTaken"), (step, r.text)
        assert await stored(pool, org_id) == history


async def test_a_renamed_organisation_frees_its_old_name(desk):
    old = desk.new_name()
    org_id = await desk.in_state("approved", name=old)
    assert (await desk.step("change", org_id, body={"name": desk.new_name()})).status_code == 200
    assert (await desk.file(name=old)).status_code == 201

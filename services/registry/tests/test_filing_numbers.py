"""Filing numbers: `<station>-<year>-<4-digit sequence>`, unique per station and year even when
approvals race, given once and kept; the year is the approval's (China time)."""

import asyncio


async def pending(desk, n):
    return [await desk.in_state("pending") for _ in range(n)]


async def test_concurrent_approvals_in_one_station_get_distinct_consecutive_numbers(desk, pool):
    org_ids = await pending(desk, 6)
    responses = await asyncio.gather(
        *(desk.step("approve", o, body={"occurred_at": "2031-06-01"}) for o in org_ids)
    )
    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    numbers = sorted(r.json()["filing_number"] for r in responses)
    assert numbers == [f"{desk.stations.a}-2031-{i:04d}" for i in range(1, 7)]
    held = await pool.fetch(
        "SELECT filing_number, organisation_id FROM registry.filing_numbers WHERE filing_number = ANY($1)",
        numbers,
    )
    assert {r["organisation_id"] for r in held} == set(org_ids)


async def test_a_retried_approval_keeps_its_number_and_takes_no_other(desk):
    first, second = await pending(desk, 2)
    key = desk.new_id("key")
    body = {"occurred_at": "2032-01-10"}
    approved = await desk.step("approve", first, body=body, key=key)
    retried = await desk.step("approve", first, body=body, key=key)
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert (
        retried.json()["filing_number"]
        == approved.json()["filing_number"]
        == f"{desk.stations.a}-2032-0001"
    )
    assert (await desk.step("approve", second, body=body)).json()[
        "filing_number"
    ] == f"{desk.stations.a}-2032-0002"


async def test_a_refused_approval_uses_up_no_number(desk):
    returned, fresh = await desk.in_state("returned"), await desk.in_state("pending")
    body = {"occurred_at": "2033-02-01"}
    assert (await desk.step("approve", returned, body=body)).status_code == 409
    assert (await desk.step("approve", fresh, body=body)).json()[
        "filing_number"
    ] == f"{desk.stations.a}-2033-0001"


async def test_numbers_count_per_station_and_per_year_in_china_time(desk):
    a, b = await desk.in_state("pending"), await desk.in_state("pending")
    other = desk.new_id()
    assert (
        await desk.file(org_id=other, station=desk.stations.b, headers=desk.tokens.admin)
    ).status_code == 201
    # 2034-12-31 20:00 UTC is already 2035-01-01 in Lanzhou
    r1 = await desk.step("approve", a, body={"occurred_at": "2034-12-31T20:00:00Z"})
    r2 = await desk.step("approve", b, body={"occurred_at": "2034-12-31T10:00:00+08:00"})
    r3 = await desk.step(
        "approve",
        other,
        body={"occurred_at": "2035-01-01"},
        station=desk.stations.b,
        headers=desk.tokens.admin,
    )
    assert r1.json()["filing_number"] == f"{desk.stations.a}-2035-0001"
    assert r2.json()["filing_number"] == f"{desk.stations.a}-2034-0001"
    assert r3.json()["filing_number"] == f"{desk.stations.b}-2035-0001"


async def test_the_number_stays_through_change_conversion_and_deregistration(desk):
    org_id = await desk.in_state("pending")
    number = (await desk.step("approve", org_id)).json()["filing_number"]
    for step in ("change", "convert", "deregister"):
        assert (await desk.step(step, org_id)).json()["filing_number"] == number
    assert (await desk.read(org_id, lambda o: o["status"] == "deregistered"))[
        "filing_number"
    ] == number

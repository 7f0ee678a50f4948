"""The registry's own read models: organisations per station by status, and filings waiting
for review longer than N days."""

from shegong_testing.fixtures import eventually


async def listing(desk, token, station=None, **params):
    r = await desk.client.get(
        f"/stations/{station or desk.stations.a}/organisations", params=params, headers=token
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_station_lists_its_organisations_by_status_with_counts(desk):
    ids = {
        s: await desk.in_state(s)
        for s in ("pending", "returned", "approved", "volunteer_team", "deregistered")
    }

    async def caught_up():
        data = await listing(desk, desk.tokens.lead_a, limit=500)  # the module's other filings too
        statuses = {o["organisation_id"]: o["status"] for o in data["items"]}
        listed = all(statuses.get(o) == s for s, o in ids.items())
        # the counts are read beside the page, by a statement of their own: both caught up
        counted = all(data["counts"].get(s, 0) >= 1 for s in ids)
        return listed and counted and data

    data = await eventually(caught_up)
    assert set(data["counts"]) == {
        "pending",
        "returned",
        "approved",
        "volunteer_team",
        "deregistered",
    }
    assert all(data["counts"][s] >= 1 for s in ids)
    approved = await listing(desk, desk.tokens.lead_a, status="approved")
    assert ids["approved"] in {o["organisation_id"] for o in approved["items"]}
    assert {o["status"] for o in approved["items"]} == {"approved"}
    assert all("responsible_person_sealed" not in o for o in approved["items"])
    assert (
        await desk.client.get(
            f"/stations/{desk.stations.a}/organisations?status=lost", headers=desk.tokens.lead_a
        )
    ).status_code == 422


async def test_filings_pending_longer_than_n_days_are_listed_oldest_first(desk):
    old = await desk.in_state("pending", occurred_at="2024-03-01T10:00:00+08:00")
    recent = await desk.in_state("pending", occurred_at="2024-03-19T10:00:00+08:00")
    returned = await desk.in_state("returned", occurred_at="2024-02-01T10:00:00+08:00")
    resubmitted = await desk.in_state("returned", occurred_at="2024-02-01T10:00:00+08:00")
    await desk.step(
        "resubmit", resubmitted, body={"note": "已补正", "occurred_at": "2024-03-20T10:00:00+08:00"}
    )
    approved = await desk.in_state("approved", occurred_at="2024-01-01T10:00:00+08:00")
    await desk.read(resubmitted, lambda o: o["status"] == "pending")
    await desk.read(approved, lambda o: o["status"] == "approved")

    async def pending(days, token=desk.tokens.lead_a, **params):
        r = await desk.client.get(
            "/organisations/pending",
            headers=token,
            params={"older_than_days": days, "as_of": "2024-03-28", **params},
        )
        assert r.status_code == 200, r.text
        return [
            f
            for f in r.json()["items"]
            if f["organisation_id"] in {old, recent, returned, resubmitted, approved}
        ]

    over_two_weeks = await pending(14)
    assert [(f["organisation_id"], f["days_pending"]) for f in over_two_weeks] == [(old, 26)]
    assert [f["organisation_id"] for f in await pending(5)] == [old, recent, resubmitted]
    assert [f["organisation_id"] for f in await pending(0, desk.tokens.officer_b)] == []
    assert [
        f["organisation_id"]
        for f in await pending(0, desk.tokens.admin, station_id=desk.stations.a)
    ] == [old, recent, resubmitted]
    refused = await desk.client.get(
        "/organisations/pending", params={"older_than_days": -1}, headers=desk.tokens.admin
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "older_than_days"

"""The demo week through the registry's HTTP API: the six stations, the 福利路 joint meeting's
filings of 2024-03-19 and their review, and 草场街's exemplary mid-term evaluation."""

import asyncio

from shegong_registry import demo
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer


class InProcessDemoClient:
    """The DemoClient's contract (stable keys, waiting out unknown stations) over the in-process app."""

    def __init__(self, client, headers):
        self.client, self.headers, self.posted = client, headers, []

    async def post(self, service, path, body, key):
        assert service == "registry"
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            r = await self.client.post(
                path, json=body, headers={**self.headers, "Idempotency-Key": f"demo-{key}"}
            )
            if r.status_code < 300:
                self.posted.append((r.status_code, r.headers.get("Idempotent-Replayed")))
                return r.json()
            waiting = r.status_code == 422 and r.json().get("rule") == "UnknownStation"
            assert waiting and asyncio.get_running_loop().time() < deadline, r.text
            await asyncio.sleep(0.1)


async def test_the_demo_week_records_fulilu_filings_and_caochangjie_evaluation_once(
    registry, settings, pool
):
    admin = bearer(settings, "city_admin")
    # the week, loaded through the HTTP API
    first = InProcessDemoClient(registry, admin)
    await demo.load(first)
    events = await pool.fetchval("SELECT count(*) FROM registry.events")
    # loading again adds nothing: every request replays its first answer
    again = InProcessDemoClient(registry, admin)
    await demo.load(again)
    assert await pool.fetchval("SELECT count(*) FROM registry.events") == events
    assert {replayed for _, replayed in again.posted} == {"true"}

    # 福利路: four filings approved with numbers of 2024, one still pending at the end of the week
    async def fulilu():
        r = (await registry.get("/stations/xigu-fulilu/organisations", headers=admin)).json()
        return r["counts"]["approved"] == 4 and r

    listing = await eventually(fulilu)
    assert listing["counts"] | {"approved": 4} == {
        "pending": 1,
        "returned": 0,
        "approved": 4,
        "volunteer_team": 0,
        "deregistered": 0,
    }
    numbers = sorted(o["filing_number"] for o in listing["items"] if o["filing_number"])
    assert numbers == [f"xigu-fulilu-2024-{i:04d}" for i in range(1, 5)]
    assert {o["filed_at"][:10] for o in listing["items"]} == {"2024-03-19"}

    # the council's filing was returned for correction and resubmitted before approval
    timeline = (
        await registry.get(
            "/stations/xigu-fulilu/organisations/fulilu-yard-council/timeline", headers=admin
        )
    ).json()
    assert [e["event_type"] for e in timeline["items"]] == [
        "OrgFiled",
        "OrgFilingReturned",
        "OrgFilingResubmitted",
        "OrgFilingApproved",
    ]

    # 草场街: the exemplary mid-term evaluation, before the peer exchange of 3月22日
    async def chengguan():
        rows = (await registry.get("/districts/chengguan/evaluations", headers=admin)).json()[
            "items"
        ]
        return [r for r in rows if r["station_id"] == "chengguan-caochangjie"]

    [midterm] = await eventually(chengguan)
    assert (midterm["kind"], midterm["exemplary"], midterm["station_name"]) == (
        "midterm",
        True,
        "城关区草场街街道社工站",
    )
    assert midterm["evaluated_on"] < "2024-03-22"

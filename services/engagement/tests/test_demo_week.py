"""The source week's meetings, loaded through the HTTP API twice, read back and seen on the bus."""

import json

import nats
import pytest
from shegong_engagement import demo
from shegong_events.subjects import domain_filter
from shegong_testing.fixtures import eventually
from shegong_testing.http import every, open_stations

DEMO_STATIONS = [
    (demo.HAISHIWAN, "honggu"),
    (demo.FULILU, "xigu"),
    (demo.CAOCHANGJIE, "chengguan"),
    (demo.TIELUXICUN, "chengguan"),
]


class InProcessDemoClient:
    """The DemoClient's `post`, against the in-process app; fails loudly on any refusal."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    async def post(self, service, path, body, key):
        assert service == "engagement"
        r = await self.client.post(
            path, json=body, headers={**self.headers, "Idempotency-Key": f"demo-{key}"}
        )
        assert r.status_code < 300, (path, r.status_code, r.text)
        return r.json()


@pytest.fixture(scope="module")
async def demo_loaded(engagement, settings, tokens):
    nc = await nats.connect(settings.nats_url)
    try:
        await open_stations(nc, settings, DEMO_STATIONS)
    finally:
        await nc.close()
    known = engagement.app.state.runtime.stations
    await eventually(lambda: _all_known(known))
    client = InProcessDemoClient(engagement, tokens["admin"])
    await demo.load(client)
    return client


async def _all_known(known):
    return {s for s, _ in DEMO_STATIONS} <= set(await known.all())


async def held(engagement, tokens):
    rows = await every(
        engagement,
        "/meetings",
        {"status": "held", "held_from": "2024-03-16", "held_to": "2024-03-22"},
        headers=tokens["admin"],
    )
    return {
        r["meeting_id"]: r
        for r in rows
        if r["meeting_id"] in {m["meeting_id"] for m in demo.MEETINGS}
    }


async def test_every_meeting_of_the_source_week_is_recorded_with_its_count(
    engagement, tokens, demo_loaded
):
    meetings = await eventually(lambda: _four(engagement, tokens))
    by_station = {m["station_id"]: m for m in meetings.values()}
    assert {s: m["participants_total"] for s, m in by_station.items()} == {
        demo.HAISHIWAN: 20,
        demo.FULILU: 20,
        demo.CAOCHANGJIE: None,
        demo.TIELUXICUN: 27,
    }
    assert {s: m["kind"] for s, m in by_station.items()} == {
        demo.HAISHIWAN: "resident_deliberation",
        demo.FULILU: "joint_meeting",
        demo.CAOCHANGJIE: "peer_exchange",
        demo.TIELUXICUN: "volunteer_workshop",
    }
    exchange = by_station[demo.CAOCHANGJIE]
    assert (
        exchange["model_station_id"] == demo.CAOCHANGJIE
        and exchange["co_organisers"][0]["name"] == "城关区民政局"
    )
    workshop = by_station[demo.TIELUXICUN]
    ways = [o["text"] for o in workshop["outcomes"] if o.get("group") == "五大方式"]
    assert ways == ["主动作为", "有效沟通", "敢于拒绝", "产出成果", "专业使命"]
    assert {t["title"] for t in by_station[demo.HAISHIWAN]["topics"]} >= {
        "为老服务",
        "小区文化营造",
        "文体娱乐",
    }


async def _four(engagement, tokens):
    found = await held(engagement, tokens)
    return len(found) == 4 and found


async def test_the_workshop_students_are_enrolled_and_trained(engagement, tokens, demo_loaded):
    async def trained():
        rows = await every(
            engagement, "/volunteers", {"station_id": demo.TIELUXICUN}, headers=tokens["admin"]
        )
        ours = [r for r in rows if r["volunteer_id"].startswith("tieluxicun-student-")]
        return len(ours) == 3 and all(r["trainings"] == 1 for r in ours) and ours

    rows = await eventually(trained)
    assert {r["affiliation"] for r in rows} == {"兰州财经大学社会工作协会"}


async def test_loading_the_week_twice_adds_nothing(engagement, demo_loaded):
    store = engagement.app.state.runtime.store
    before = await store.pool.fetchval(f"SELECT count(*) FROM {store.schema}.events")
    await demo.load(demo_loaded)
    assert await store.pool.fetchval(f"SELECT count(*) FROM {store.schema}.events") == before


async def test_published_enrolments_carry_no_names(engagement, settings, demo_loaded):
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        enrolments = domain_filter("engagement", demo.TIELUXICUN, "VolunteerEnrolled")
        sub = await js.subscribe(enrolments, ordered_consumer=True)
        messages = []

        async def three():
            try:
                messages.append(await sub.next_msg(timeout=0.5))
            except TimeoutError:
                pass
            return len(messages) >= 3

        await eventually(three)
        await sub.unsubscribe()
    finally:
        await nc.close()
    text = " ".join(m.data.decode() for m in messages)
    assert all(name not in text for _, name, _ in demo.STUDENTS)
    assert all(json.loads(m.data)["data"]["name_sealed"].startswith("sealed:v1:") for m in messages)

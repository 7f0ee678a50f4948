"""The same-origin door to the services: the worker's token added, keys and versions passed
through, answers (409 included) returned as the service gave them."""

from __future__ import annotations

import uuid

from shegong_testing.fixtures import eventually

from .conftest import sign_in

STATION = "chengguan-qingbaishi"
WRITE = {"X-Workbench": "1", "X-Workbench-Author": "qingbaishi-sg"}


async def a_household(stack, web) -> tuple[str, int]:
    rows = (await web.get("/api/visits/households", params={"station_id": STATION})).json()["items"]
    hid = rows[0]["household_id"]
    detail = (await web.get(f"/api/visits/households/{hid}")).json()
    return hid, detail["version"]


def visit_body() -> dict:
    return {
        "visited_at": "2024-03-25T10:00:00+08:00",
        "mode": "phone",
        "social_worker_ids": ["qingbaishi-sg"],
        "notes": "电话回访，情况稳定",
    }


async def test_a_command_sent_twice_with_its_key_is_recorded_once(stack, web):
    await sign_in(web, "qingbaishi-sg")
    hid, version = await a_household(stack, web)
    key = f"wb-{uuid.uuid4()}"
    headers = {**WRITE, "Idempotency-Key": key}
    first = await web.post(
        f"/api/visits/households/{hid}/visits", json=visit_body(), headers=headers
    )
    again = await web.post(
        f"/api/visits/households/{hid}/visits", json=visit_body(), headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    after = (await web.get(f"/api/visits/households/{hid}")).json()
    assert after["version"] == version + 1


async def test_a_stale_if_match_comes_back_as_409_with_the_current_version(stack, web):
    await sign_in(web, "qingbaishi-sg")
    hid, version = await a_household(stack, web)
    r = await web.post(
        f"/api/visits/households/{hid}/updates",
        json={"community": "测试社区"},
        headers={**WRITE, "Idempotency-Key": f"wb-{uuid.uuid4()}", "If-Match": str(version - 1)},
    )
    assert r.status_code == 409
    assert r.json()["current_version"] == version
    assert (await web.get(f"/api/visits/households/{hid}")).json()["version"] == version


async def test_writes_need_the_workbench_header(stack, web):
    await sign_in(web, "qingbaishi-sg")
    hid, version = await a_household(stack, web)
    r = await web.post(f"/api/visits/households/{hid}/visits", json=visit_body())
    assert r.status_code == 403
    assert (await web.get(f"/api/visits/households/{hid}")).json()["version"] == version


async def test_a_command_of_another_worker_is_refused_under_this_session(stack, web):
    """The phone's queue names its author; the proxy sends only the signed-in worker's own."""
    await sign_in(web, "qingbaishi-zz")
    hid, version = await a_household(stack, web)
    for author in ("qingbaishi-sg", "", None):
        headers = {"X-Workbench": "1", "Idempotency-Key": f"wb-{uuid.uuid4()}"}
        if author is not None:
            headers["X-Workbench-Author"] = author
        r = await web.post(
            f"/api/visits/households/{hid}/visits", json=visit_body(), headers=headers
        )
        assert r.status_code == 403 and r.json()["error"] == "NotTheAuthor", author
    assert (await web.get(f"/api/visits/households/{hid}")).json()["version"] == version


async def test_the_actor_recorded_is_the_session_whatever_the_page_sends(stack, web):
    await sign_in(web, "qingbaishi-sg")
    hid, version = await a_household(stack, web)
    r = await web.post(
        f"/api/visits/households/{hid}/visits",
        json=visit_body(),
        headers={
            **WRITE,
            "Idempotency-Key": f"wb-{uuid.uuid4()}",
            "Authorization": "Bearer forged-by-the-page",  # not passed on: the session's is
            "X-Actor": "qingbaishi-zz",
        },
    )
    assert r.status_code == 201

    async def recorded() -> list[str]:
        timeline = (await web.get(f"/api/visits/households/{hid}/timeline")).json()["items"]
        return [e["actor"] for e in timeline if e["version"] == version + 1]

    await eventually(recorded, timeout=30)
    assert await recorded() == ["qingbaishi-sg"]


async def test_the_proxy_needs_a_signed_in_worker(stack, web):
    r = await web.get("/api/visits/households")
    assert r.status_code == 401


async def test_only_the_services_behind_the_workbench_are_reachable(stack, web):
    await sign_in(web, "qingbaishi-sg")
    assert (await web.get("/api/notifications/inbox")).status_code == 404


async def test_the_services_keep_the_worker_to_their_station(stack, web):
    await sign_in(web, "qingbaishi-sg")
    r = await web.get("/api/visits/households", params={"station_id": "xigu-fulilu"})
    assert r.status_code == 403


async def test_the_day_starts_with_visits_due_needs_and_action_items(stack, web):
    await sign_in(web, "qingbaishi-sg")
    r = await web.get("/")
    assert r.status_code == 200
    for heading in ("走访提醒", "待处理需求", "议事会待办", "已逾期", "今日到期"):
        assert heading in r.text


async def test_the_app_shell_is_served_by_the_app_itself(stack, web):
    sw = await web.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["service-worker-allowed"] == "/"
    assert "no-cache" in sw.headers["cache-control"]
    for path in ("/static/app.js", "/static/app.css", "/offline"):
        assert (await web.get(path)).status_code == 200, path
    page = (await web.get("/signin")).text
    assert "http://" not in page.replace(stack.url, "") and "https://" not in page  # no CDN


async def test_a_district_officer_chooses_among_the_district_stations_by_name(stack, web):
    await sign_in(web, "chengguan-mz")
    page = (await web.get("/households/new")).text
    for name in ("城关区青白石街道社工站", "城关区火车站街道社工站", "城关区草场街街道社工站"):
        assert name in page
    assert "xigu-fulilu" not in page and "福利路" not in page


async def test_a_social_worker_sees_her_station_by_name(stack, web):
    await sign_in(web, "qingbaishi-sg")
    page = (await web.get("/households/new")).text
    assert 'type="hidden" name="station_id" value="chengguan-qingbaishi"' in page
    assert "城关区青白石街道社工站" in page


async def test_a_service_that_does_not_answer_is_502_so_the_queue_keeps_the_command(stack, web):
    from shegong_testing.browser import free_port
    from shegong_workbench.config import WorkbenchSettings
    from shegong_workbench.upstream import Upstreams

    await sign_in(web, "qingbaishi-sg")
    live = stack.app.state.upstreams
    stack.app.state.upstreams = Upstreams(
        WorkbenchSettings(visits_url=f"http://127.0.0.1:{free_port()}")
    )
    try:
        r = await web.post(
            "/api/visits/households/any/visits",
            json=visit_body(),
            headers={**WRITE, "Idempotency-Key": f"wb-{uuid.uuid4()}"},
        )
    finally:
        await stack.app.state.upstreams.close()
        stack.app.state.upstreams = live
    assert r.status_code == 502 and r.json()["error"] == "upstream_unreachable"

"""Least privilege: every reader is authenticated and sees only the stations of their scope."""

import html
import re

from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from .test_roundup import roundup_is_complete

QINGBAISHI, FULILU = "chengguan-qingbaishi", "xigu-fulilu"


async def test_no_token_no_read_models(board, demo_week):
    r = await board.get("/stations")
    assert r.status_code == 401 and r.json()["rule"] == "Unauthenticated"
    page = await board.get("/dashboard")
    assert page.status_code == 401
    assert "请先登录" in page.text and "社工站工作台" in page.text


async def test_a_social_worker_sees_only_their_own_station(board, admin, token_for, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    worker = token_for("social_worker", [QINGBAISHI])
    listed = await every(board, "/stations", None, headers=worker)
    assert [p["station"]["station_id"] for p in listed] == [QINGBAISHI]
    assert (await board.get(f"/stations/{QINGBAISHI}", headers=worker)).status_code == 200
    other = await board.get(f"/stations/{FULILU}", headers=worker)
    assert other.status_code == 403 and other.json()["field"] == "station_id"
    assert (await board.get("/districts/chengguan", headers=worker)).status_code == 403
    assert (await board.get("/city", headers=worker)).status_code == 403


async def test_a_district_officer_sees_their_district_and_not_the_city(
    board, admin, token_for, demo_week
):
    await eventually(lambda: roundup_is_complete(board, admin))
    officer = token_for("district_officer", district="chengguan")
    listed = {
        p["station"]["station_id"] for p in await every(board, "/stations", None, headers=officer)
    }
    assert listed == {
        "chengguan-qingbaishi",
        "chengguan-huochezhan",
        "chengguan-caochangjie",
        "chengguan-tieluxicun",
    }
    district = await board.get("/districts/chengguan", headers=officer)
    assert district.status_code == 200 and district.json()["scope"]["name"] == "城关区"
    assert (await board.get("/districts/xigu", headers=officer)).status_code == 403
    assert (await board.get("/city", headers=officer)).status_code == 403
    assert (await board.get(f"/stations/{FULILU}", headers=officer)).status_code == 403
    page = await board.get("/dashboard/districts/xigu", headers=officer)
    assert page.status_code == 403 and "无权查看" in page.text


async def test_the_dashboard_refuses_a_token_in_the_address_with_a_400_naming_the_rule(
    board, token_for, demo_week
):
    lead = token_for("station_lead", [QINGBAISHI])
    raw = lead["Authorization"].removeprefix("Bearer ")
    for path in (f"/dashboard/stations/{QINGBAISHI}", "/dashboard/roundup", "/dashboard", "/"):
        r = await board.get(path, params={"token": raw, "on": "2024-03-22"})
        assert r.status_code == 400, path
        assert "不接受地址中的 ?token=" in r.text and "set-cookie" not in r.headers
        assert raw not in r.text and "location" not in r.headers
    # refused even beside a good bearer header: the address is the problem, not the caller
    both = await board.get("/dashboard", params={"token": raw}, headers=lead)
    assert both.status_code == 400
    # the bearer header alone (what the workbench sends) opens the page
    page = await board.get(
        f"/dashboard/stations/{QINGBAISHI}", params={"on": "2024-03-22"}, headers=lead
    )
    assert page.status_code == 200 and "城关区青白石街道社工站" in page.text
    closed = await board.get(f"/dashboard/stations/{FULILU}", headers=lead)
    assert closed.status_code == 403
    # no cookie of its own any more: a cookie named like the old one opens nothing
    old = await board.get("/dashboard", headers={"Cookie": f"shegong_token={raw}"})
    assert old.status_code == 401


async def test_a_forged_token_is_refused(board, demo_week):
    r = await board.get("/dashboard", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and "set-cookie" not in r.headers


async def test_the_stylesheet_is_served_with_its_print_section_for_a4(board):
    r = await board.get("/dashboard/dashboard.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert "@media print" in r.text and "size:A4" in r.text


async def test_the_dashboard_pages_its_station_table_and_keeps_the_city_totals(
    board, token_for, demo_week, monkeypatch
):
    from shegong_stations import config

    shown = config.StationsSettings(stations_shown=4)
    monkeypatch.setattr(config, "settings", lambda: shown)
    admin = token_for("city_admin", [])
    address, seen, pages = "/dashboard?on=2024-03-22", [], 0
    while address:
        page = await board.get(address, headers=admin)
        assert page.status_code == 200, page.text[:300]
        rows = re.findall(
            r'href="/dashboard/stations/([\w-]+)', page.text.split('id="stations"')[1]
        )
        assert 0 < len(set(rows)) <= 4
        seen += sorted(set(rows))
        assert "合计" in page.text  # the totals stand on every page
        more = re.search(r'href="([^"]+)" rel="next"', page.text)
        address = html.unescape(more.group(1)) if more else ""
        pages += 1
    assert pages == 2 and len(seen) == len(set(seen)) == 6, seen
    bad = await board.get("/dashboard", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=admin)
    assert bad.status_code == 422 and "cursor" in bad.text

"""Least privilege: every reader is authenticated and sees only the stations of their scope."""

from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from .test_roundup import roundup_is_complete

QINGBAISHI, FULILU = "chengguan-qingbaishi", "xigu-fulilu"


async def test_no_token_no_read_models(board, demo_week):
    r = await board.get("/stations")
    assert r.status_code == 401 and r.json()["rule"] == "Unauthenticated"
    page = await board.get("/dashboard")
    assert page.status_code == 401
    assert "请先登录" in page.text and "?token=" in page.text


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


async def test_dashboard_takes_the_token_once_and_keeps_it_in_a_cookie(board, token_for, demo_week):
    lead = token_for("station_lead", [QINGBAISHI])["Authorization"].removeprefix("Bearer ")
    first = await board.get(
        f"/dashboard/stations/{QINGBAISHI}", params={"token": lead, "on": "2024-03-22"}
    )
    assert first.status_code == 303
    assert first.headers["location"] == f"/dashboard/stations/{QINGBAISHI}?on=2024-03-22"
    cookie = first.headers["set-cookie"]
    assert (
        cookie.startswith("shegong_token=") and "HttpOnly" in cookie and "Path=/dashboard" in cookie
    )
    page = await board.get(first.headers["location"], headers={"Cookie": f"shegong_token={lead}"})
    assert page.status_code == 200 and "城关区青白石街道社工站" in page.text
    closed = await board.get(
        f"/dashboard/stations/{FULILU}", headers={"Cookie": f"shegong_token={lead}"}
    )
    assert closed.status_code == 403
    # the JSON API takes the bearer header only
    assert (
        await board.get(f"/stations/{QINGBAISHI}", headers={"Cookie": f"shegong_token={lead}"})
    ).status_code == 401


async def test_a_forged_token_is_refused_and_not_kept(board, demo_week):
    r = await board.get("/dashboard", params={"token": "not-a-jwt"})
    assert r.status_code == 401 and "set-cookie" not in r.headers


async def test_the_stylesheet_is_served_with_its_print_section_for_a4(board):
    r = await board.get("/dashboard/dashboard.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert "@media print" in r.text and "size:A4" in r.text

"""The dashboard in a real browser: headless Chromium, driven over WebDriver, on a phone's width.

Needs Debian's `chromium` and `chromium-driver`; skipped only where they are missing and CI is
not set. Leaves screenshots in artifacts/: the station page, its charts, the same page as it
prints, the district and roundup pages; and the roundup printed to PDF (A4).
"""

import asyncio
import base64
import os
from pathlib import Path

import httpx
import pytest
import uvicorn
from shegong_runtime import auth
from shegong_stations.bootstrap import service
from shegong_testing.browser import (
    chromedriver_binary,
    chromium,
    chromium_binary,
    free_port,
)
from shegong_testing.fixtures import eventually

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
STATION = "chengguan-qingbaishi"


def require_browser() -> None:
    if chromium_binary() and chromedriver_binary():
        return
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but chromium/chromedriver are missing (apt-get install chromium chromium-driver)"
        )
    pytest.skip(
        "chromium and chromedriver are not installed here (apt-get install chromium chromium-driver)"
    )


class QuietServer(uvicorn.Server):
    """uvicorn inside the test's event loop, leaving pytest's signal handlers alone."""

    def install_signal_handlers(self) -> None:
        return None

    def capture_signals(self):
        from contextlib import nullcontext

        return nullcontext()


async def bearer(browser, token: str) -> None:
    """Every request of the page carries the header (the workbench adds it in real use)."""
    await browser.cdp("Network.enable")
    await browser.cdp(
        "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {token}"}}
    )


@pytest.fixture(scope="module")
async def served(settings):
    """The stations service over real HTTP on a free local port."""
    port = free_port()
    server = QuietServer(
        uvicorn.Config(service.app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_station_page_shows_the_week_as_a_person_sees_it(served, settings, demo_week):
    require_browser()
    lead = auth.issue(settings, "青白石站长", "station_lead", [STATION])

    async def week_is_in():
        async with httpx.AsyncClient(base_url=served) as http:
            r = await http.get(
                f"/stations/{STATION}",
                params={"on": "2024-03-22"},
                headers={"Authorization": f"Bearer {lead}"},
            )
            return r.status_code == 200 and r.json()["figures"]["visits"]["this_week"] == 3

    await eventually(week_is_in)
    async with chromium() as browser:
        # the station lead's browser sends the bearer header, as the workbench does for her
        await bearer(browser, lead)
        await browser.open(f"{served}/dashboard/stations/{STATION}?on=2024-03-22")
        assert await browser.text("header h1") == "城关区青白石街道社工站"
        # the week at a glance: three households, each visited this week, three needs open
        assert await browser.text('[data-testid="households"] .v') == "3"
        assert await browser.text('[data-testid="visits-week"] .v') == "3"
        assert await browser.text('[data-testid="needs-open"] .v') == "3"
        assert await browser.text('[data-testid="needs-urgent"] .v') == "0"
        households = await browser.text("#households")
        for word in ("低保家庭", "留守老人", "独居老人", "特困供养", "高风险", "重点"):
            assert word in households
        assert "走访记录含观察情况 3/3" in await browser.text("#completeness")
        assert "数据同步" in await browser.text('[data-testid="lag"]')
        shot = await browser.screenshot(ARTIFACTS / "station-page.png")
        assert shot.stat().st_size > 10_000
        await charts_show_the_week(browser)
        await prints_without_navigation(browser)
        # the cookie carries the sign-in; another station stays closed to this lead
        await browser.open(f"{served}/dashboard/stations/xigu-fulilu")
        assert await browser.text("header h1") == "无权查看"
        await browser.open(f"{served}/dashboard")
        assert await browser.texts("#stations tbody td:first-child a") == ["城关区青白石街道社工站"]


CHARTS = {
    "visits-by-week": "最近12周入户走访（户次）",
    "needs-by-category": "未结需求：类别与紧急程度（项）",
    "participation": "各类会议与活动参与（人次）",
    "filing-pipeline": "社区社会组织备案进度（家）",
}


async def content(browser, css: str) -> str:
    """Text of an element as written, shown or not (a closed <details> hides its table)."""
    return str(await browser.script("return document.querySelector(arguments[0]).textContent", css))


async def charts_show_the_week(browser) -> None:
    """Four SVG charts, each with a title a screen reader announces and its numbers beside."""
    titles = await browser.script(
        "return [...document.querySelectorAll('#charts figure svg > title')].map(t => t.textContent)"
    )
    assert titles == list(CHARTS.values())
    for chart_id in CHARTS:
        assert await content(browser, f'[data-testid="chart-{chart_id}"] table')
    # the demo week: three visits in the week of 18 March, none in the eleven weeks before
    weeks = await browser.texts('[data-testid="chart-visits-by-week"] svg text')
    assert "3/18" in weeks and "3" in weeks
    visits = await content(browser, '[data-testid="chart-visits-by-week"] tbody')
    assert visits.endswith("0003")  # ... 3/4, 3/11: none; 3/18: three
    # three needs open, one each of 照料, 日常生活 and 教育
    needs = await content(browser, '[data-testid="chart-needs-by-category"] svg desc')
    assert "照料" in needs and "日常生活" in needs and "教育" in needs
    await browser.script("document.getElementById('charts').scrollIntoView()")
    shot = await browser.screenshot(ARTIFACTS / "station-charts.png")
    assert shot.stat().st_size > 10_000


async def prints_without_navigation(browser) -> None:
    """As printed: the stylesheet's print section hides the navigation, the forms and the footer."""
    shown = "return getComputedStyle(document.querySelector(arguments[0])).display"
    assert await browser.script(shown, "header nav") != "none"
    await browser.cdp("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for css in ("header nav", "form", "footer"):
            assert await browser.script(shown, css) == "none", css
        assert await browser.script(shown, "#charts svg") != "none"
        await browser.script("window.scrollTo(0, 0)")
        await browser.screenshot(ARTIFACTS / "station-print.png")
    finally:
        await browser.cdp("Emulation.setEmulatedMedia", {"media": ""})


async def test_roundup_page_reads_in_the_browser(served, settings, demo_week):
    require_browser()
    admin = auth.issue(settings, "市民政局", "city_admin")

    async def week_is_in():
        async with httpx.AsyncClient(base_url=served) as http:
            r = await http.get(
                "/roundup",
                params={"start": "2024-03-16", "end": "2024-03-22", "format": "markdown"},
                headers={"Authorization": f"Bearer {admin}"},
            )
            return all(
                n in r.text for n in ("青白石", "火车站", "草场街", "铁路西村", "海石湾", "福利路")
            )

    await eventually(week_is_in)
    async with chromium() as browser:
        await bearer(browser, admin)
        await browser.open(f"{served}/dashboard/roundup?start=2024-03-16&end=2024-03-22")
        assert await browser.text("article h1") == "兰州市社会工作一周掠影"
        article = await browser.text("article")
        for name in ("青白石", "火车站", "草场街", "铁路西村", "海石湾", "福利路"):
            assert name in article
        assert len(await browser.find_all("article figure svg")) == 4
        await browser.screenshot(ARTIFACTS / "roundup-page.png")
        await browser.script("document.querySelector('article figure').scrollIntoView()")
        await browser.screenshot(ARTIFACTS / "roundup-charts.png")
        # printed on A4 as the print stylesheet sets it: a PDF a bureau could file
        pdf = await browser.cdp("Page.printToPDF", {"preferCSSPageSize": True})
        assert isinstance(pdf, dict)
        data = base64.b64decode(pdf["data"])
        assert data.startswith(b"%PDF")
        (ARTIFACTS / "roundup.pdf").write_bytes(data)


async def test_a_district_officer_compares_the_district_stations(served, settings, demo_week):
    require_browser()
    officer = auth.issue(settings, "城关区民政局", "district_officer", district="chengguan")
    async with chromium() as browser:
        await bearer(browser, officer)
        await browser.open(f"{served}/dashboard?on=2024-03-22")
        stations = await browser.texts("#stations tbody td:first-child a")
        assert sorted(stations) == sorted(
            [
                "城关区青白石街道社工站",
                "城关区火车站街道社工站",
                "城关区草场街街道社工站",
                "城关区铁路西村街道社工站",
            ]
        )
        await browser.open(f"{served}/dashboard/districts/chengguan?on=2024-03-22")
        assert await browser.text("header h1") == "城关区社工站"
        comparison = await browser.text("#comparison")
        assert "城关区草场街街道社工站" in comparison and "（优秀）" in comparison
        await browser.screenshot(ARTIFACTS / "district-page.png")
        assert len(await browser.find_all("#charts figure svg")) == 4
        await browser.script("document.getElementById('charts').scrollIntoView()")
        await browser.screenshot(ARTIFACTS / "district-charts.png")
        await browser.open(f"{served}/dashboard/districts/xigu")
        assert await browser.text("header h1") == "无权查看"

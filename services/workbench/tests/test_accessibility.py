"""Accessible pages: axe-core (pinned in package.json, WCAG 2 A and AA rules) finds nothing on
any page, forms opened; and signing in works from the keyboard alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shegong_testing.browser import chromium

from .worker import STATION, Day, require_browser

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
OPEN_ALL = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})
  .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))))
  .catch((e) => done([{id: 'axe-error', impact: String(e), nodes: []}]));
"""


def require_axe() -> str:
    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    if os.environ.get("CI"):
        pytest.fail("node_modules/axe-core is missing (npm ci)")
    pytest.skip("node_modules/axe-core is missing (npm ci)")


async def test_every_page_passes_axe_with_its_forms_open(stack, link):
    require_browser()
    axe = require_axe()
    async with chromium() as browser:
        day = Day(browser, stack, link, "a11y")
        found = {}
        await browser.open(f"{day.url}/signin")
        await browser.script(axe)
        found["/signin"] = await browser.script_async(RUN_AXE)
        await day.sign_in("qingbaishi-zz")
        listed = (
            await stack.clients["visits"].get(
                "/households", params={"station_id": STATION}, headers=day.lead
            )
        ).json()["items"]
        pages = [
            "/",
            "/households",
            "/households/new",
            f"/households/{listed[0]['household_id']}",
            "/meetings",
            "/organisations",
            "/volunteers",
            "/queue",
            "/staff",
            "/password",
            "/offline",
        ]
        for path in pages:
            await day.open(path)
            await browser.script(OPEN_ALL)
            await browser.script(axe)
            found[path] = await browser.script_async(RUN_AXE)
        # 按户主姓名查找, typed loosely: the results page, with the name in no address
        head = next(h["head_name"] for h in listed if h["head_name"])
        await day.open("/households")
        await browser.type("#search-name", f" {head[0]} {head[1:]}")
        await browser.click("form[role=search] button[type=submit]")
        await browser.find("[data-testid=search-result]")
        await day.ready()
        assert (await browser.current_url()).endswith("/households")
        assert head in await browser.text("#households")
        await day.shot("name-search")
        await browser.script(axe)
        found["/households (name search)"] = await browser.script_async(RUN_AXE)
        assert {p: v for p, v in found.items() if v} == {}
        # the check can fail: an input without a label is found
        await browser.script(
            "document.querySelector('main').append(document.createElement('input'))"
        )
        assert "label" in [v["id"] for v in await browser.script_async(RUN_AXE)]


async def test_signing_in_works_from_the_keyboard(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "keyboard")
        await browser.open(f"{day.url}/signin")
        await browser.click("#username")
        await browser.keys("qingbaishi-sg\ue004shegong-demo\ue007")
        await day.ready()
        assert await browser.text("main h1") == "今日工作"

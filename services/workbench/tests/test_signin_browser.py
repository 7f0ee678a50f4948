"""Sign-in, installing, and the board in Chromium: the throttle's wait and the lockout as the
worker reads them, a lead lifting the lock, the manifest Chromium accepts as installable, and the
dashboard opened from the workbench with no token in any address, page or log line.
Screenshots in artifacts/workbench/."""

from __future__ import annotations

import re

import pytest
from shegong_runtime import auth
from shegong_testing.browser import chromium
from shegong_testing.fixtures import eventually
from shegong_workbench.entrypoints.assets import build

from .accounts import PASSWORD, STATION, forget_addresses, new_worker, some_time_passes
from .worker import Day, require_browser

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
ADDRESSES = (
    "return [location.href, document.referrer, ...performance.getEntries().map((e) => e.name)];"
)


@pytest.fixture
async def clean_address(pool):
    await forget_addresses(pool)
    yield
    await forget_addresses(pool)


async def try_password(day: Day, username: str, password: str) -> str:
    await day.b.open(f"{day.url}/signin")
    await day.b.type("#username", username)
    await day.b.type("#password", password)
    await day.b.click(".signin button[type=submit]")
    return await day.b.text("#signin-error")


async def test_wrong_passwords_wait_longer_then_lock_until_the_lead_lifts_it(
    stack, link, web, pool, clean_address
):
    require_browser()
    user = await new_worker(stack, web, "王五")
    async with chromium() as browser:
        day = Day(browser, stack, link, "signin")
        for _ in range(3):
            assert await try_password(day, user, "wrong-password") == "用户名或密码不正确"
        # the wait starts now, whatever the machine's speed: a fourth failure's wait (10 s)
        await pool.execute(
            "UPDATE workbench.signin_failures SET failures = 4, last_at = now() "
            "WHERE key LIKE 'account:%' AND failures >= 3"
        )
        said = await try_password(day, user, PASSWORD)
        assert re.fullmatch(r"登录尝试过多，请在 \d+ 秒后再试", said), said
        await day.shot("throttled")

        # many more failures later (the waits sat out), the account locks
        await pool.execute(
            "UPDATE workbench.signin_failures SET failures = 9 WHERE key LIKE 'account:%' "
            "AND failures >= 3"
        )
        await some_time_passes(pool, 1000)
        await try_password(day, user, "wrong-password")
        await some_time_passes(pool, 1000)
        said = await try_password(day, user, PASSWORD)  # the right one: still locked
        assert said == "该账号因多次登录失败已被锁定，请联系站长解锁"
        await day.shot("locked")

        # the station lead lifts the lock from 本站人员
        await day.sign_in("qingbaishi-zz")
        await day.open("/staff")
        row = f'[data-testid="staff-row"][data-username="{user}"]'
        assert "已锁定" in await browser.text(row)
        await day.shot("lead-sees-the-lock")
        await browser.click(f'{row} button[data-action="unlock"]')
        assert "已解除 王五 的登录锁定" in await browser.text("#staff-note")
        await day.shot("lead-lifted-it")
        await day.sign_out()
        await day.sign_in(user, PASSWORD)
        assert await browser.text("main h1") == "今日工作"
        assert "王五" in await browser.text('[data-testid="who"]')
        await day.shot("signed-in-again")


async def test_chromium_finds_the_workbench_installable(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "install")
        await day.sign_in("qingbaishi-sg")

        async def worker_ready():
            return await browser.script_async(
                "const done = arguments[arguments.length - 1];"
                "navigator.serviceWorker.ready.then(() => caches.keys()).then(done, () => done([]));"
            )

        await eventually(worker_ready, timeout=20)
        manifest = await browser.cdp("Page.getAppManifest")
        assert isinstance(manifest, dict) and manifest["errors"] == [], manifest
        assert manifest["url"].endswith("/manifest.webmanifest")

        async def installable():
            answer = await browser.cdp("Page.getInstallabilityErrors")
            return isinstance(answer, dict) and answer["installabilityErrors"] == []

        await eventually(installable, timeout=20)
        caches = await worker_ready()
        assert f"workbench-shell-{build()}" in caches  # named after the build, not by hand
        parsed = await browser.script_async(
            "const done = arguments[arguments.length - 1];"
            "fetch('/manifest.webmanifest').then((r) => r.json()).then(done);"
        )
        assert parsed["name"] == "社工站工作台" and parsed["display"] == "standalone"
        await browser.open(f"{day.url}/static/icon-512.png")
        await day.shot("icon")
        await day.open("/")
        await day.shot("installable-start-page")


async def test_the_board_opens_from_the_workbench_with_no_token_in_any_address_or_log(
    stack, link, capfd
):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "board")
        await day.sign_in("chengguan-mz")
        seen: list[str] = []
        await browser.click('nav a[href="/dashboard"]')
        assert "城关区青白石街道社工站" in await browser.text("#stations")
        seen += await browser.script(ADDRESSES)
        await day.shot("dashboard-from-the-workbench")
        await browser.click(f'#stations a[href^="/dashboard/stations/{STATION}"]')
        assert await browser.text("header h1") == "城关区青白石街道社工站"
        seen += await browser.script(ADDRESSES)
        await day.shot("station-page")
        await browser.open(f"{day.url}/dashboard/roundup?start=2024-03-16&end=2024-03-22")
        assert "一周掠影" in await browser.text("article h1")
        seen += await browser.script(ADDRESSES)
        await day.shot("roundup")
        html = await browser.script("return document.documentElement.outerHTML")
        assert not JWT.search(html) and "token=" not in html
        assert seen and not [a for a in seen if "token" in a.lower() or JWT.search(a)], seen

        # an old link with a token, straight at the stations service: refused, naming the rule
        old = auth.issue(stack.settings, "demo-admin", "city_admin")
        await browser.open(f"{stack.board_url}/dashboard?token={old}")
        assert await browser.text("header h1") == "地址有误"
        assert "不接受地址中的 ?token=" in await browser.text("main")
        await day.shot("token-in-address-refused")
    printed = capfd.readouterr()
    lines = (printed.out + printed.err).splitlines()
    assert not [line for line in lines if "token=" in line or JWT.search(line)]

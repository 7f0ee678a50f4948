"""The worker at the phone: a browser session with its sign-in, network, queue and screenshots,
beside what the services hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shegong_runtime import auth
from shegong_testing.browser import chromedriver_binary, chromium_binary
from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from .link import Link

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "workbench"
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


class Day:
    """The browser as the worker uses it, and what the services hold, side by side."""

    def __init__(self, browser, stack, link: Link, name: str) -> None:
        self.b, self.stack, self.link, self.name, self.step = browser, stack, link, name, 0
        self.url = link.url
        self.lead = {
            "Authorization": f"Bearer {auth.issue(stack.settings, 'qingbaishi-zz', 'station_lead', [STATION])}"
        }

    async def shot(self, what: str) -> None:
        self.step += 1
        await self.b.screenshot(ARTIFACTS / f"{self.name}-{self.step:02d}-{what}.png")

    async def open(self, path: str) -> None:
        await self.b.open(f"{self.url}{path}")
        await self.ready()
        if not path.startswith("/signin") and "/signin" in await self.b.current_url():
            raise AssertionError(f"{path} sent the browser to sign in: the session is not held")

    async def ready(self) -> None:
        async def loaded():
            return await self.b.script(
                "return document.body && document.body.dataset.ready === 'true'"
            )

        await eventually(loaded, timeout=20)

    async def network(self, online: bool) -> None:
        """Offline: the page by the DevTools protocol, the service worker by a cut link."""
        if online:
            await self.link.up()
            await self.b.offline(False)
        else:
            await self.b.offline(True)
            await self.link.down()

    async def sign_in(self, username: str, password: str = "shegong-demo") -> None:
        await self.b.open(f"{self.url}/signin")
        await self.b.type("#username", username)
        await self.b.type("#password", password)
        await self.b.click(".signin button[type=submit]")

        # the sign-in page is ready too: wait until the answer has taken the browser off it, or a
        # page opened next could cancel the answer that carries the session's cookie
        async def signed_in():
            return "/signin" not in await self.b.current_url()

        await eventually(signed_in, timeout=20)
        await self.ready()

    async def queued(self) -> list[dict]:
        return await self.b.script_async(
            "const done = arguments[arguments.length - 1];"
            "window.workbench.queue.list().then(done, (e) => done(String(e)));"
        )

    async def sent_log(self) -> list[dict]:
        return await self.b.script_async(
            "const done = arguments[arguments.length - 1];"
            "window.workbench.queue.sent().then(done, (e) => done(String(e)));"
        )

    async def sign_out(self) -> None:
        await self.b.click("form.signout button[type=submit]")

        async def on_signin():
            return "/signin" in await self.b.current_url()

        await eventually(on_signin, timeout=10)

    async def flush(self) -> None:
        await self.b.script_async(
            "const done = arguments[arguments.length - 1]; window.workbench.flush().then(() => done(true));"
        )

    async def all_sent(self, attention: int = 0) -> None:
        async def empty():
            await self.flush()
            return [c for c in await self.queued() if c["state"] == "pending"] == []

        await eventually(empty, timeout=30, interval=0.5)
        waiting = [c for c in await self.queued() if c["state"] == "attention"]
        assert len(waiting) == attention, waiting

    async def visits_become(self, hid: str, count: int) -> None:
        """The household's timeline (a read model) catches up; then it stays at `count`."""

        async def caught_up():
            return len(await self.visits_of(hid)) >= count

        await eventually(caught_up, timeout=30)
        assert len(await self.visits_of(hid)) == count

    async def holds(self, count: int) -> None:
        """The queue in IndexedDB holds `count` commands (a submit is stored before it is sent)."""

        async def stored():
            return len(await self.queued()) == count

        await eventually(stored, timeout=10)

    async def household(self, hid: str) -> dict:
        r = await self.stack.clients["visits"].get(f"/households/{hid}", headers=self.lead)
        return r.json()

    async def visits_of(self, hid: str) -> list[dict]:
        timeline = await every(
            self.stack.clients["visits"], f"/households/{hid}/timeline", None, headers=self.lead
        )
        return [e for e in timeline if e["event_type"] == "VisitRecorded"]

    async def record_visit(self, notes: str, service: str = "policy_briefing") -> None:
        await self.b.select("#v-mode", "home_visit")
        await self.b.click(f'#visit-form input[name="service_kinds[]"][value="{service}"]')
        if service == "policy_briefing":
            await self.b.click(
                '#visit-form input[name="policies[]"][value="minimum_living_allowance"]'
            )
        await self.b.select("#v-obs-health", "attention")
        await self.b.type("#v-notes", notes)
        await self.b.click("#visit-form button[type=submit]")

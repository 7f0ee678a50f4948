"""A worker's day in headless Chromium on a phone's width, driven over WebDriver; offline by the
DevTools protocol's network emulation. Screenshots of each step go to artifacts/workbench/.

Needs Debian's `chromium` and `chromium-driver`; skipped only where they are missing and CI is
not set.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from shegong_runtime import auth
from shegong_runtime.testing import eventually

from .link import Link
from .webdriver import chromedriver_binary, chromium, chromium_binary

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "workbench"
STATION = "chengguan-qingbaishi"
QUEUE = "return (async () => (await window.workbench.queue.list()))()"


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

    async def sign_in(self, username: str) -> None:
        await self.b.open(f"{self.url}/signin")
        await self.b.type("#username", username)
        await self.b.type("#password", "shegong-demo")
        await self.b.click(".signin button[type=submit]")
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
        r = await self.stack.clients["visits"].get(f"/households/{hid}/timeline", headers=self.lead)
        return [e for e in r.json() if e["event_type"] == "VisitRecorded"]

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


@pytest.fixture
async def link(stack):
    """The phone's network to the workbench; up unless a test cuts it."""
    cable = Link(stack.port)
    await cable.up()
    yield cable
    await cable.down()


async def households(stack, lead: dict) -> list[str]:
    r = await stack.clients["visits"].get(
        "/households", params={"station_id": STATION}, headers=lead
    )
    return [h["household_id"] for h in r.json()]


async def test_a_workers_day_online_then_offline_then_back(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "day")
        first, second = (await households(stack, day.lead))[:2]
        before = {h: len(await day.visits_of(h)) for h in (first, second)}

        # 08:30 the social worker of 青白石 signs in on her phone; the day's lists open
        await day.sign_in("qingbaishi-sg")
        assert await browser.text("main h1") == "今日工作"
        assert "走访提醒" in await browser.text("#visits-due")
        await day.shot("signed-in")

        # the pages she will need in the lanes are opened once with a signal
        await day.open(f"/households/{second}")
        await day.open("/meetings")
        await day.open("/queue")
        await day.open(f"/households/{first}")

        # 09:10 a visit with a signal: recorded at once
        await day.record_visit("入户走访，老人身体尚可，讲解低保政策")
        await day.all_sent()
        await day.visits_become(first, before[first] + 1)
        await day.shot("visit-recorded-online")

        # 10:00 in a basement flat: no network
        await day.network(False)
        await day.record_visit("离线走访：燃气阀门老化，已提醒更换", service="counselling")
        await day.holds(1)
        await day.shot("offline-visit-queued")
        await day.open(f"/households/{second}")  # the saved page opens without a network
        assert await browser.text("#net") == "离线 · 记录保存在本机"
        await day.record_visit("离线走访：独居老人，情绪低落，已疏导", service="counselling")
        await day.holds(2)
        await day.open("/meetings")
        await browser.type("#mt-title", "青白石街道居民议事会（离线记录）")
        await browser.type("#mt-total", "18")
        await browser.select("#mt-role-0", "resident_representative")
        await browser.type("#mt-count-0", "12")
        await browser.type("#mt-topic-0", "楼道堆物清理")
        await browser.type("#mt-out-0", "每月第一个周六集中清理")
        await browser.click("#meeting-form button[type=submit]")
        await day.holds(4)
        await day.shot("offline-meeting-queued")
        pending = [c for c in await day.queued() if c["state"] == "pending"]
        assert [c["label"].split(" ·")[0] for c in pending] == [
            "走访记录",
            "走访记录",
            "会议记录（安排）",
            "会议记录",
        ]

        # the phone reloads the page, still offline: nothing queued is lost
        await browser.refresh()
        await day.ready()
        assert await browser.text("#queue-count") == "4"
        assert [c["key"] for c in await day.queued()] == [c["key"] for c in pending]
        await day.open("/queue")
        assert len(await browser.find_all('[data-testid="pending-item"]')) == 4
        await day.shot("offline-after-reload")
        # nothing reached the services while offline
        assert len(await day.visits_of(first)) == before[first] + 1
        assert len(await day.visits_of(second)) == before[second]

        # 11:30 back in the street: the queue goes out in order, each command once
        await day.network(True)
        await day.all_sent()
        assert await browser.text("#queue-count") == "0"
        await day.shot("back-online-sent")
        await day.visits_become(first, before[first] + 2)
        await day.visits_become(second, before[second] + 1)
        meetings = (
            await stack.clients["engagement"].get(
                "/meetings", params={"station_id": STATION}, headers=day.lead
            )
        ).json()
        mine = [m for m in meetings if m["title"] == "青白石街道居民议事会（离线记录）"]
        assert len(mine) == 1 and mine[0]["status"] == "held"

        # the station's board has them: this week's visits include the three of today
        async def on_the_board():
            r = await stack.clients["stations"].get(
                f"/stations/{STATION}", params={"on": date.today().isoformat()}, headers=day.lead
            )
            return r.status_code == 200 and r.json()["figures"]["visits"]["this_week"] >= 3

        await eventually(on_the_board, timeout=30)
        await day.open(f"/households/{first}")
        assert "离线走访：燃气阀门老化" not in await browser.text("#timeline")  # notes are sealed
        assert (await browser.text("#timeline")).count("走访记录") >= 2
        await day.shot("household-timeline")


async def test_a_queued_command_is_sent_once_after_a_reload_and_a_network_flap(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "once")
        hid = (await households(stack, day.lead))[2]
        await day.sign_in("qingbaishi-sg")
        await day.open(f"/households/{hid}")
        before = len(await day.visits_of(hid))

        # offline: one visit queued, then the page reloaded before any network came back
        await day.network(False)
        await day.record_visit("离线记录，重载后发送")
        await day.holds(1)
        [queued] = await day.queued()
        await browser.refresh()
        await day.ready()
        await day.shot("queued-after-reload")

        # the network comes and goes while the queue is being sent
        await day.network(True)
        await day.flush()
        await day.network(False)
        await day.network(True)
        await day.all_sent()
        await day.visits_become(hid, before + 1)

        # the answer was lost on the way back (the command is still in a tab's queue): sending
        # it again with its Idempotency-Key records nothing new
        copy = {k: v for k, v in queued.items() if k != "seq"}
        await browser.script_async(
            "const done = arguments[arguments.length - 1];"
            "window.workbench.queue.add([arguments[0]]).then(() => done(true));",
            copy,
        )
        await day.all_sent()
        await day.visits_become(hid, before + 1)
        outcomes = [s["outcome"] for s in await day.sent_log() if s["key"] == queued["key"]]
        assert outcomes == ["recorded", "replayed"]
        await day.open("/queue")
        assert "重复发送，未重复记录" in await browser.text('[data-testid="sent-list"]')
        await day.shot("replayed-not-recorded-twice")


async def test_a_conflict_waits_for_the_worker_and_never_overwrites(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "conflict")
        hid = (await households(stack, day.lead))[0]
        await day.sign_in("qingbaishi-sg")
        await day.open(f"/households/{hid}")
        seen = int(await browser.text('[data-testid="version"]'))

        # offline, the worker corrects the phone number from the version she saw
        await day.network(False)
        await browser.script(
            "document.querySelector('#update-form').closest('details').open = true"
        )
        await browser.type("#u-phone", "13900000001")
        await browser.click("#update-form button[type=submit]")
        await day.holds(1)
        [mine] = await day.queued()
        assert mine["ifMatch"] == seen

        # meanwhile the station lead changes the same household at the station
        r = await day.stack.clients["visits"].post(
            f"/households/{hid}/updates",
            json={"phone": "13800000002"},
            headers={
                **day.lead,
                "Idempotency-Key": f"colleague-{hid}-{seen}",
                "If-Match": str(seen),
            },
        )
        assert r.status_code == 200

        # back online: the service answers 409, the change waits under 需要处理
        await day.network(True)
        await day.flush()
        [waiting] = await day.queued()
        assert waiting["state"] == "attention" and waiting["status"] == 409
        assert (await day.household(hid))["phone"] == "13800000002"  # nothing overwritten
        await day.open("/queue")
        assert await browser.text('[data-testid="attention-count"]') == "需要处理 1"
        mine_cell = await browser.text('[data-testid="attention-item"] td.mine[data-field="phone"]')
        theirs_cell = await browser.text(
            '[data-testid="attention-item"] td.theirs[data-field="phone"]'
        )
        assert (mine_cell, theirs_cell) == ("13900000001", "13800000002")
        await day.shot("needs-attention")

        # the queue keeps trying other things, but never this one on its own
        await day.flush()
        assert (await day.household(hid))["phone"] == "13800000002"

        # she checks with the lead and keeps hers: a new change at the current version
        await browser.click('[data-testid="attention-item"] button[data-action="keep"]')
        await day.all_sent()
        after = await day.household(hid)
        assert after["phone"] == "13900000001" and after["version"] == seen + 2
        await day.shot("kept-mine")

        # a second clash, this time dropped: the colleague's value stays
        await day.open(f"/households/{hid}")
        await day.network(False)
        await browser.script(
            "document.querySelector('#update-form').closest('details').open = true"
        )
        await browser.type("#u-phone", "13900000003")
        await browser.click("#update-form button[type=submit]")
        await day.holds(1)
        r = await day.stack.clients["visits"].post(
            f"/households/{hid}/updates",
            json={"phone": "13800000004"},
            headers={**day.lead, "Idempotency-Key": f"colleague-{hid}-{seen + 2}"},
        )
        assert r.status_code == 200
        await day.network(True)
        await day.flush()
        await day.open("/queue")
        await browser.click('[data-testid="attention-item"] button[data-action="drop"]')
        await day.all_sent()
        assert (await day.household(hid))["phone"] == "13800000004"
        assert await day.queued() == []
        log = json.dumps(await day.sent_log(), ensure_ascii=False)
        assert '"dropped"' in log
        await day.shot("dropped-mine")

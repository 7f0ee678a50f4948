"""A worker's day in headless Chromium on a phone's width, driven over WebDriver. Offline is the
DevTools protocol's network emulation (through chromedriver's goog/cdp/execute) for the page,
plus a cut link to the workbench, since the emulation does not reach the service worker's own
fetches. Screenshots of each step go to artifacts/workbench/.

Needs Debian's `chromium` and `chromium-driver`; skipped only where they are missing and CI is
not set.
"""

from __future__ import annotations

import json

from shegong_stations.periods import today as lanzhou_today
from shegong_testing.browser import chromium
from shegong_testing.fixtures import eventually
from shegong_testing.http import every

from .worker import STATION, Day, require_browser


async def households(stack, lead: dict) -> list[str]:
    r = await stack.clients["visits"].get(
        "/households", params={"station_id": STATION}, headers=lead
    )
    return [h["household_id"] for h in r.json()["items"]]


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
        meetings = await every(
            stack.clients["engagement"], "/meetings", {"station_id": STATION}, headers=day.lead
        )
        mine = [m for m in meetings if m["title"] == "青白石街道居民议事会（离线记录）"]
        assert len(mine) == 1 and mine[0]["status"] == "held"

        # the station's board has them: this week's visits include the three of today (the
        # station's today: past 16:00 UTC it is already tomorrow in Lanzhou)
        async def on_the_board():
            r = await stack.clients["stations"].get(
                f"/stations/{STATION}", params={"on": lanzhou_today().isoformat()}, headers=day.lead
            )
            return r.status_code == 200 and r.json()["figures"]["visits"]["this_week"] >= 3

        await eventually(on_the_board, timeout=30)
        # the station's board, opened from the workbench with her session: no token anywhere
        await browser.open(f"{day.url}/dashboard/stations/{STATION}")
        assert await browser.text("header h1") == "城关区青白石街道社工站"
        assert int(await browser.text('[data-testid="visits-week"] .v')) >= 3
        await day.shot("station-dashboard")
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


async def test_a_session_that_ran_out_keeps_the_queue_until_the_worker_signs_in_again(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "session")
        hid = (await households(stack, day.lead))[1]
        await day.sign_in("qingbaishi-sg")
        await day.open(f"/households/{hid}")
        before = len(await day.visits_of(hid))

        # offline, a visit is queued; meanwhile the sign-in runs out
        await day.network(False)
        await day.record_visit("会话过期前离线记录")
        await day.holds(1)
        await browser.delete_cookie("workbench_session")

        # back online: the service says 401, the queue keeps the visit and asks for a sign-in
        await day.network(True)
        await day.flush()
        [kept] = await day.queued()
        assert kept["state"] == "pending"
        assert "登录已过期" in await browser.text("#attention-banner")
        await day.shot("session-ran-out")

        # signed in again, the visit goes out once
        await day.sign_in("qingbaishi-sg")
        await day.all_sent()
        await day.visits_become(hid, before + 1)

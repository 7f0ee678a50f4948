"""The station's shared phone in Chromium: two workers on one browser profile, a lead who
discards a departed worker's queue, and a conflict shown with what is recorded now and who
changed it, for every form sent with If-Match. Screenshots in artifacts/workbench/."""

from __future__ import annotations

import json

from shegong_testing.browser import chromium
from shegong_testing.fixtures import eventually

from .accounts import PASSWORD
from .test_browser import households
from .worker import Day, require_browser

SEND_AS = (
    "const [author, path] = arguments; const done = arguments[arguments.length - 1];"
    "fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json',"
    " 'X-Workbench': '1', 'X-Workbench-Author': author, 'Idempotency-Key': 'wb-' + crypto.randomUUID()},"
    " body: JSON.stringify({visited_at: '2024-03-25T10:00:00+08:00', mode: 'phone', notes: 'x'})})"
    ".then((r) => r.json().then((b) => done([r.status, b.error])), (e) => done([0, String(e)]));"
)


async def her_session_ends(day: Day, pool, username: str) -> None:
    """She walks away; her session runs out on the server (the phone keeps its queue)."""
    await pool.execute("DELETE FROM workbench.sessions WHERE username = $1", username)


async def test_her_queue_is_not_sent_under_his_session_and_goes_when_she_returns(
    stack, link, web, pool
):
    from .accounts import new_worker

    require_browser()
    zhang = await new_worker(stack, web, "张三")
    async with chromium() as browser:
        day = Day(browser, stack, link, "shared")
        hid = (await households(stack, day.lead))[0]
        before = await day.visits_of(hid)

        # 张三 signs in on the station's phone and records a visit in a lane with no signal
        await day.sign_in(zhang, PASSWORD)
        assert "张三" in await browser.text('[data-testid="who"]')
        await day.open(f"/households/{hid}")
        await day.network(False)
        await day.record_visit("张三离线走访：老人腿脚不便")
        await day.holds(1)
        [queued] = await day.queued()
        assert (queued["author"], queued["authorName"]) == (zhang, "张三")
        await day.shot("her-visit-queued")

        # her session ends; back at the station the lead signs in on the same phone
        await her_session_ends(day, pool, zhang)
        await day.network(True)
        await day.sign_in("qingbaishi-zz")
        await day.open("/queue")
        await day.flush()
        [still] = await day.queued()
        assert still["state"] == "pending" and still["key"] == queued["key"]
        assert await browser.text("#queue-count") == "0"  # his own queue is empty
        assert "等待 张三 登录" in await browser.text('[data-testid="others-waiting"]')
        assert await browser.texts('[data-testid="others-item"]') == [
            "等待 张三 登录后发送：1 条 放弃 张三 的 1 条记录"
        ]
        assert "老人腿脚不便" not in await browser.text("body")  # a count, never her content
        assert await browser.find_all('[data-testid="pending-item"]') == []
        await day.shot("lead-sees-her-count-only")
        assert await day.visits_of(hid) == before  # nothing recorded under his name

        # a page that tries to send it anyway is refused by the workbench itself
        status = await browser.script_async(SEND_AS, zhang, f"/api/visits/households/{hid}/visits")
        assert status == [403, "NotTheAuthor"]
        assert await day.visits_of(hid) == before

        # he signs out; she signs in again and her visit goes out, in her name
        await day.sign_out()
        await day.sign_in(zhang, PASSWORD)
        await day.all_sent()
        await day.visits_become(hid, len(before) + 1)
        assert (await day.visits_of(hid))[-1]["actor"] == zhang
        await day.open("/queue")
        assert await browser.text('[data-testid="others-list"]') == "无"
        await day.shot("sent-when-she-returns")


async def test_a_lead_discards_a_departed_workers_queue_and_it_is_audited(stack, link, web, pool):
    from .accounts import new_worker

    require_browser()
    li = await new_worker(stack, web, "李四")
    async with chromium() as browser:
        day = Day(browser, stack, link, "discard")
        hid = (await households(stack, day.lead))[1]
        before = await day.visits_of(hid)
        await day.sign_in(li, PASSWORD)
        await day.open(f"/households/{hid}")
        await day.network(False)
        await day.record_visit("李四离线记录一")
        await day.holds(1)
        await day.record_visit("李四离线记录二", service="counselling")
        await day.holds(2)
        await her_session_ends(day, pool, li)  # 李四 has left the station
        await day.network(True)

        # a social worker sees the count but may not discard it
        await day.sign_in("qingbaishi-sg")
        await day.open("/queue")
        assert "等待 李四 登录" in await browser.text('[data-testid="others-waiting"]')
        assert await browser.find_all('[data-action="discard"]') == []
        await day.sign_out()

        # the lead discards it in two steps; the workbench records it before the phone deletes
        await day.sign_in("qingbaishi-zz")
        await day.open("/queue")
        await browser.click('[data-action="discard"]')
        await day.shot("lead-asked-to-confirm")
        await browser.click('[data-action="confirm-discard"]')

        async def gone():
            return await day.queued() == []

        await eventually(gone, timeout=10)
        assert "李四 的 2 条记录 · 已由站长放弃" in await browser.text('[data-testid="sent-list"]')
        await day.shot("discarded-by-the-lead")
        row = await pool.fetchrow(
            "SELECT * FROM workbench.audit WHERE username = $1 AND event = 'queue.discarded'", li
        )
        detail = row["detail"] if isinstance(row["detail"], dict) else json.loads(row["detail"])
        assert row["actor"] == "qingbaishi-zz" and detail == {"count": 2}
        assert await day.visits_of(hid) == before


async def conflict(day: Day, hid: str, form: str, fill, colleague: dict, path: str) -> None:
    """The worker edits offline from the version she saw; a colleague changes the household;
    back online the service answers 409 and the change waits under 需要处理."""
    b = day.b
    await day.open(f"/households/{hid}")
    seen = int(await b.text('[data-testid="version"]'))
    await day.network(False)
    await b.script(f"document.querySelector('#{form}').closest('details').open = true")
    await fill()
    await b.click(f"#{form} button[type=submit]")
    await day.holds(1)
    r = await day.stack.clients["visits"].post(
        f"/households/{hid}/{path}",
        json=colleague,
        headers={
            **day.lead,
            "Idempotency-Key": f"colleague-{hid}-{form}-{seen}",
            "If-Match": str(seen),
        },
    )
    assert r.status_code == 200, r.text
    await day.network(True)
    await day.flush()
    [waiting] = await day.queued()
    assert waiting["state"] == "attention" and waiting["status"] == 409

    async def shown_with_its_history():  # the timeline is a read model: it may trail a moment
        await day.open("/queue")
        versions = [e["version"] for e in (await day.queued())[0].get("since") or []]
        return waiting["answer"]["current_version"] in versions

    await eventually(shown_with_its_history, timeout=20)


async def cells(day: Day, field: str) -> tuple[str, str, str]:
    item = '[data-testid="attention-item"]'
    return (
        await day.b.text(f'{item} td.mine[data-field="{field}"]'),
        await day.b.text(f'{item} td.theirs[data-field="{field}"]'),
        await day.b.text(f'{item} td.who[data-field="{field}"]'),
    )


async def test_a_conflict_shows_what_is_recorded_now_and_who_changed_it_for_every_if_match_form(
    stack, link
):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "both-sides")
        hid = (await households(stack, day.lead))[2]
        await day.sign_in("qingbaishi-sg")

        # the risk tier: she lowers it to 一般 while the lead raised it to 高风险
        async def lower():
            await browser.select("#t-tier", "general")

        await conflict(
            day, hid, "tier-form", lower, {"tier": "high", "reason": "health_decline"}, "risk-tier"
        )
        tier = await cells(day, "tier")
        assert tier[:2] == ("一般", "高风险")
        assert tier[2].startswith("qingbaishi-zz · ")
        assert (await cells(day, "major_change"))[:2] == ("否", "否")  # a boolean in words
        reason = await cells(day, "reason")  # a fact of the lead's change, from the timeline
        assert reason[:2] == ("定期复评", "健康状况下降"), reason
        assert "风险分级：高风险 · qingbaishi-zz" in await browser.text(
            '[data-testid="changes-since"]'
        )
        await day.shot("tier-both-sides")
        await browser.click('[data-testid="attention-item"] button[data-action="drop"]')
        await day.all_sent()

        # the household's details: she moves it to one community, the lead to another
        async def move():
            await browser.type("#u-community", "白道坪社区")

        await conflict(day, hid, "update-form", move, {"community": "石门沟社区"}, "updates")
        community = await cells(day, "community")
        assert community[:2] == ("白道坪社区", "石门沟社区")
        assert community[2].startswith("qingbaishi-zz · ")
        assert (await cells(day, "phone"))[2] == "未改动"  # a field nobody else touched
        await day.shot("update-both-sides")
        await browser.click('[data-testid="attention-item"] button[data-action="drop"]')
        await day.all_sent()
        assert (await day.household(hid))["community"] == "石门沟社区"

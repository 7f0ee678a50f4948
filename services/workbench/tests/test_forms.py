"""The week's other forms in the browser, each checked against what the service then holds:
register a household, tier it, find a need, refer it on consent, close it; file an
organisation and approve it; check a volunteer in and out."""

from __future__ import annotations

from shegong_testing.browser import chromium
from shegong_testing.fixtures import eventually

from .worker import STATION, Day, require_browser

OPEN_ALL = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"


async def test_household_forms_from_registration_to_a_closed_need(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "forms")
        await day.sign_in("qingbaishi-zz")

        # a new household: head, phone, category, risk tier and a member
        await day.open("/households/new")
        await browser.type("#reg-head", "测试户主（表单）")
        await browser.type("#reg-phone", "13700000001")
        await browser.type("#reg-community", "青白石测试社区")
        await browser.click('input[name="categories[]"][value="solitary_elderly"]')
        await browser.select("#reg-tier", "key")
        await browser.select("#members-0-rel", "child")
        await browser.type("#members-0-name", "测试子女")
        await browser.type("#members-0-year", "1985")
        await browser.click("#register-form button[type=submit]")
        await day.all_sent()

        async def registered():  # the list is a read model: it catches up
            r = await stack.clients["visits"].get(
                "/households", params={"station_id": STATION}, headers=day.lead
            )
            return [
                h["household_id"]
                for h in r.json()["items"]
                if h.get("head_name") == "测试户主（表单）"
            ]

        [hid] = await eventually(registered, timeout=30, interval=0.3)
        h = await day.household(hid)
        assert (h["risk_tier"], h["categories"], h["phone"]) == (
            "key",
            ["solitary_elderly"],
            "13700000001",
        )
        assert [(m["relation"], m["name"], m["birth_year"]) for m in h["members"]] == [
            ("child", "测试子女", 1985)
        ]
        await day.shot("registered")

        # the risk tier goes up after a fall
        await day.open(f"/households/{hid}")
        await browser.script(OPEN_ALL)
        await browser.select("#t-tier", "high")
        await browser.select("#t-reason", "health_decline")
        await browser.click("#tier-form button[type=submit]")
        await day.all_sent()
        assert (await day.household(hid))["risk_tier"] == "high"

        # a medical need, urgent
        await browser.select("#n-cat", "medical")
        await browser.select("#n-sev", "urgent")
        await browser.type("#n-notes", "需要陪同就医")
        await browser.click("#need-form button[type=submit]")
        await day.all_sent()
        [need] = (await day.household(hid))["needs"]
        assert (need["category"], need["severity"], need["status"]) == ("medical", "urgent", "open")

        # referred to the health bureau on the head's consent, recorded with it
        await day.open(f"/households/{hid}")
        await browser.script(OPEN_ALL)
        form = f'#need-{need["need_id"]} form[data-kind="refer"]'
        await browser.type(f"{form} input[name=agency]", "城关区卫生健康局")
        await browser.select(f"{form} select[name=agency_kind]", "health")
        await browser.click(f"{form} button[type=submit]")
        await day.all_sent()
        h = await day.household(hid)
        assert h["needs"][0]["status"] == "referred"
        assert {"purpose": "referral", "member_id": None} in h["consents"]
        await day.shot("referred")

        # closed: no longer needed
        await day.open(f"/households/{hid}")
        await browser.script(OPEN_ALL)
        close = f'#need-{need["need_id"]} form[data-kind="close"]'
        await browser.select(f"{close} select[name=reason]", "no_longer_needed")
        await browser.click(f"{close} button[type=submit]")
        await day.all_sent()
        assert (await day.household(hid))["needs"][0]["status"] == "closed"


async def test_an_organisation_files_and_a_volunteer_checks_in_and_out(stack, link):
    require_browser()
    async with chromium() as browser:
        day = Day(browser, stack, link, "steps")
        await day.sign_in("qingbaishi-zz")

        # a community organisation files at the station, and the lead approves it
        await day.open("/organisations")
        await browser.script(OPEN_ALL)
        await browser.type("#of-name", "青白石邻里互助队")
        await browser.select("#of-cat", "mutual_aid")
        await browser.type("#of-community", "青白石测试社区")
        await browser.type("#of-person", "测试负责人")
        await browser.type("#of-members", "15")
        await browser.type("#of-area", "青白石街道")
        await browser.type("#of-charter", "邻里互助，关爱独居老人")
        await browser.click("#org-file-form button[type=submit]")
        await day.all_sent()

        async def listed():
            await day.open("/organisations")
            return "青白石邻里互助队" in await browser.text("main")

        await eventually(listed, timeout=30, interval=0.5)
        await browser.click('form[data-path$="/approvals"] button[type=submit]')
        await day.all_sent()

        async def approved():  # the registry's list is a read model: it catches up
            r = await stack.clients["registry"].get(
                f"/stations/{STATION}/organisations", headers=day.lead
            )
            found = [o for o in r.json()["items"] if o["name"] == "青白石邻里互助队"]
            return (
                len(found) == 1 and found[0]["status"] == "approved" and found[0]["filing_number"]
            )

        await eventually(approved, timeout=30, interval=0.5)
        await day.shot("organisation-approved")

    async with chromium() as browser:
        # at 铁路西村 a student volunteer checks in for a session, then out
        day = Day(browser, stack, link, "volunteer")
        await day.sign_in("tieluxicun-sg")
        await day.open("/volunteers")
        first = 'form[data-path$="/sessions"]'
        path = await browser.script(f"return document.querySelector('{first}').dataset.path")
        await browser.type(f"{first} input[name=activity]", "社区助老服务")
        await browser.click(f"{first} button[type=submit]")
        await day.all_sent()

        async def checked_in():
            await day.open("/volunteers")
            return bool(
                await browser.find_all(f'form[data-path^="{path}/"][data-path$="/check-out"]')
            )

        await eventually(checked_in, timeout=30, interval=0.5)
        await browser.click(
            f'form[data-path^="{path}/"][data-path$="/check-out"] button[type=submit]'
        )
        await day.all_sent()
        outcomes = [s["outcome"] for s in await day.sent_log()]
        assert outcomes == ["recorded", "recorded"]
        await day.shot("checked-out")

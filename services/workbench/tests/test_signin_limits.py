"""Sign-in that holds up: throttling per account and per address with growing waits, a lockout a
lead lifts, passwords changed and reset (argon2id), idle and absolute session limits, and an
audit of it all that holds no password."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from shegong_workbench import session

from .accounts import PASSWORD, STATION, forget_addresses, new_worker, some_time_passes
from .conftest import sign_in


@pytest.fixture
async def clean_address(pool):
    await forget_addresses(pool)
    yield
    await forget_addresses(pool)


def wait_of(r: httpx.Response) -> int:
    found = re.search(r"请在 (\d+) 秒后再试", r.text)
    assert found, r.text[:500]
    assert r.headers["retry-after"] == found.group(1)
    return int(found.group(1))


async def test_failures_of_one_account_make_each_next_try_wait_longer(
    stack, web, pool, clean_address
):
    user = await new_worker(stack, web)
    for _ in range(3):  # three free failures
        assert (await sign_in(web, user, "wrong-password")).status_code == 401
    waits = []
    for _ in range(3):
        r = await sign_in(web, user, PASSWORD)  # even the right password waits its turn
        assert r.status_code == 429
        waits.append(wait_of(r))
        await some_time_passes(pool, waits[-1])
        assert (await sign_in(web, user, "wrong-password")).status_code == 401
    assert waits == [5, 10, 20]
    await some_time_passes(pool, 40)
    ok = await sign_in(web, user, PASSWORD)
    assert ok.status_code == 303 and session.COOKIE in web.cookies
    # a success clears the account's count: the next failure is free again
    web.cookies.clear()
    assert (await sign_in(web, user, "wrong-password")).status_code == 401


async def test_failures_from_one_address_across_accounts_wait_too(stack, web, pool, clean_address):
    for i in range(10):  # ten accounts (made up), one failure each, from one address
        assert (await sign_in(web, f"nobody-{i}", "wrong-password")).status_code == 401
    user = await new_worker(stack, web)
    r = await sign_in(web, user, PASSWORD)
    assert r.status_code == 429 and 0 < wait_of(r) <= 5


async def test_an_account_locks_and_only_a_lead_of_its_station_lifts_it(
    stack, web, pool, clean_address
):
    user = await new_worker(stack, web)
    for _ in range(10):
        await sign_in(web, user, "wrong-password")
        await some_time_passes(pool, 1000)
    r = await sign_in(web, user, PASSWORD)
    assert r.status_code == 423 and "已被锁定" in r.text and "联系站长" in r.text
    # a lead of another station may not lift it; the lead of hers may
    async with httpx.AsyncClient(base_url=stack.url) as other:
        await sign_in(other, "fulilu-zz")
        assert (await other.post(f"/staff/{user}/unlock")).status_code == 403
    async with httpx.AsyncClient(base_url=stack.url) as lead:
        await sign_in(lead, "qingbaishi-zz")
        page = await lead.get("/staff")
        assert user in page.text and "已锁定" in page.text
        lifted = await lead.post(f"/staff/{user}/unlock")
        assert lifted.status_code == 200 and "已解除" in lifted.text
    assert (await sign_in(web, user, PASSWORD)).status_code == 303
    events = await pool.fetch(
        "SELECT event, actor FROM workbench.audit WHERE username = $1 ORDER BY id", user
    )
    seen = [(e["event"], e["actor"]) for e in events]
    assert seen.count(("signin.refused", None)) == 10
    assert ("account.locked", None) in seen and ("signin.locked", None) in seen
    assert ("lock.lifted", "qingbaishi-zz") in seen and seen[-1] == ("signin.ok", None)


async def test_a_worker_changes_her_password_and_every_session_of_hers_ends(
    stack, web, pool, clean_address
):
    user = await new_worker(stack, web)
    await sign_in(web, user, PASSWORD)
    async with httpx.AsyncClient(base_url=stack.url) as phone:  # her other device
        await sign_in(phone, user, PASSWORD)
        assert (await phone.get("/api/visits/households")).status_code == 200

        def change(current: str, new: str, repeat: str | None = None) -> dict:
            return {"current": current, "new": new, "repeat": repeat or new}

        form = {"Content-Type": "application/x-www-form-urlencoded"}
        refused = await web.post(
            "/password", data=change("not-it", "second-password-2"), headers=form
        )
        assert refused.status_code == 401 and "当前密码不正确" in refused.text
        short = await web.post("/password", data=change(PASSWORD, "short"), headers=form)
        assert short.status_code == 422 and "至少 10 位" in short.text
        done = await web.post("/password", data=change(PASSWORD, "second-password-2"))
        assert done.status_code == 200 and "密码已修改" in done.text
        assert (await phone.get("/api/visits/households")).status_code == 401
    assert (await sign_in(web, user, PASSWORD)).status_code == 401
    assert (await sign_in(web, user, "second-password-2")).status_code == 303
    row = await pool.fetchrow("SELECT password_hash FROM workbench.users WHERE username = $1", user)
    assert row["password_hash"].startswith("$argon2id$")


async def test_a_lead_resets_a_password_of_her_station_only(stack, web, pool, clean_address):
    user = await new_worker(stack, web)
    elsewhere = await new_worker(stack, web, station="xigu-fulilu")
    await sign_in(web, user, PASSWORD)
    new = {"new": "set-by-the-lead-1", "repeat": "set-by-the-lead-1"}
    async with httpx.AsyncClient(base_url=stack.url) as lead:
        await sign_in(lead, "qingbaishi-zz")
        assert (await lead.post(f"/staff/{elsewhere}/password", data=new)).status_code == 403
        r = await lead.post(f"/staff/{user}/password", data=new)
        assert r.status_code == 200 and "已为 张三 设置新密码" in r.text
    async with httpx.AsyncClient(base_url=stack.url) as worker:
        await sign_in(worker, "qingbaishi-sg")  # a social worker resets nobody's
        assert (await worker.post(f"/staff/{user}/password", data=new)).status_code == 403
    assert (await web.get("/api/visits/households")).status_code == 401  # her session ended
    web.cookies.clear()
    assert (await sign_in(web, user, "set-by-the-lead-1")).status_code == 303
    rows = await pool.fetch("SELECT * FROM workbench.audit WHERE username = $1", user)
    assert ("password.reset", "qingbaishi-zz") in [(r["event"], r["actor"]) for r in rows]


async def test_a_session_ends_when_idle_and_after_its_hours_whatever_the_use(stack, web, pool):
    user = await new_worker(stack, web)
    await sign_in(web, user, PASSWORD)
    assert (await web.get("/")).status_code == 200
    await pool.execute(
        "UPDATE workbench.sessions SET seen_at = now() - interval '31 minutes' WHERE username = $1",
        user,
    )
    gone = await web.get("/households")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/signin")
    assert (await web.get("/api/visits/households")).status_code == 401

    await sign_in(web, user, PASSWORD)
    await pool.execute(
        "UPDATE workbench.sessions SET started_at = now() - interval '12 hours 1 minute' "
        "WHERE username = $1",
        user,
    )
    assert (await web.get("/api/visits/households")).status_code == 401  # used a second ago
    assert (
        await pool.fetchval("SELECT count(*) FROM workbench.sessions WHERE username = $1", user)
        == 0
    )


async def test_signing_out_ends_the_session_on_the_server(stack, web, pool):
    user = await new_worker(stack, web)
    await sign_in(web, user, PASSWORD)
    value = web.cookies[session.COOKIE]
    await web.post("/signout")
    async with httpx.AsyncClient(base_url=stack.url, cookies={session.COOKIE: value}) as replay:
        assert (await replay.get("/api/visits/households")).status_code == 401


async def test_the_audit_holds_no_password_and_no_unknown_name(stack, web, pool, clean_address):
    user = await new_worker(stack, web)
    await sign_in(web, user, "a-wrong-secret-9")
    await sign_in(web, "王小明", "a-wrong-secret-9")  # someone typed a name: not kept
    await sign_in(web, user, PASSWORD)
    rows = await pool.fetch("SELECT * FROM workbench.audit ORDER BY id DESC LIMIT 50")
    text = json.dumps([dict(r) for r in rows], default=str, ensure_ascii=False)
    for secret in ("a-wrong-secret-9", PASSWORD, "王小明", "127.0.0.1"):
        assert secret not in text
    mine = [r["event"] for r in rows if r["username"] == user]
    assert mine[:2] == ["signin.ok", "signin.refused"]


async def test_every_page_carries_the_security_headers(stack, web):
    await sign_in(web, "qingbaishi-sg")
    for path in ("/signin", "/", "/queue", "/sw.js", "/manifest.webmanifest", "/dashboard"):
        r = await web.get(path)
        csp = r.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        assert r.headers["referrer-policy"] == "no-referrer", path
        assert r.headers["x-content-type-options"] == "nosniff", path
    page = (await web.get("/")).text
    assert " style=" not in page and "<style" not in page
    assert re.findall(r"<script(?![^>]*(src=|application/json))", page) == []


async def test_the_manifest_names_the_app_and_its_icons_are_served(stack, web):
    m = await web.get("/manifest.webmanifest")
    assert m.headers["content-type"].startswith("application/manifest+json")
    manifest = m.json()
    assert manifest["name"] == "社工站工作台" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        r = await web.get(icon["src"])
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert r.content.startswith(b"\x89PNG")
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


async def test_the_service_worker_caches_are_named_after_the_build(stack, web):
    from shegong_workbench.entrypoints.assets import build

    sw = (await web.get("/sw.js")).text
    assert "__BUILD__" not in sw and f'const BUILD = "{build()}"' in sw
    assert f'data-build="{build()}"' in (await web.get("/signin")).text
    assert re.fullmatch(r"[0-9a-f]{12}", build())


async def test_the_dashboard_opens_through_the_session_with_no_token_anywhere(stack, web):
    away = await web.get("/dashboard/roundup", params={"start": "2024-03-16"})
    assert away.status_code == 303
    assert away.headers["location"] == "/signin?next=/dashboard/roundup%3Fstart%3D2024-03-16"
    await sign_in(web, "chengguan-mz")  # the district's officer: station pages and roundups
    page = await web.get(f"/dashboard/stations/{STATION}", params={"on": "2024-03-22"})
    assert page.status_code == 200 and "城关区青白石街道社工站" in page.text
    assert "token" not in page.text.lower()
    roundup = await web.get(
        "/dashboard/roundup.md", params={"start": "2024-03-16", "end": "2024-03-22"}
    )
    assert roundup.status_code == 200 and "filename=" in roundup.headers["content-disposition"]
    refused = await web.get("/dashboard", params={"token": "eyJhbGciOi.x.y"})
    assert refused.status_code == 400 and "不接受地址中的 ?token=" in refused.text


async def test_only_a_lead_discards_a_queue_and_it_is_audited(stack, web, pool):
    user = await new_worker(stack, web)
    body = {"author": user, "count": 2}
    write = {"X-Workbench": "1"}
    await sign_in(web, "qingbaishi-sg")
    assert (await web.post("/queue/discards", json=body, headers=write)).status_code == 403
    async with httpx.AsyncClient(base_url=stack.url) as other:
        await sign_in(other, "fulilu-zz")
        assert (await other.post("/queue/discards", json=body, headers=write)).status_code == 403
    async with httpx.AsyncClient(base_url=stack.url) as lead:
        await sign_in(lead, "qingbaishi-zz")
        assert (await lead.post("/queue/discards", json=body)).status_code == 403  # no header
        r = await lead.post("/queue/discards", json=body, headers=write)
        assert r.status_code == 200 and r.json() == {"author": user, "discarded": 2}
    row = await pool.fetchrow(
        "SELECT * FROM workbench.audit WHERE username = $1 AND event = 'queue.discarded'", user
    )
    assert row["actor"] == "qingbaishi-zz" and json.loads(row["detail"]) == {"count": 2}
    # commands queued by a release that kept no author: a lead may discard them too
    async with httpx.AsyncClient(base_url=stack.url) as lead:
        await sign_in(lead, "qingbaishi-zz")
        r = await lead.post("/queue/discards", json={"author": None, "count": 1}, headers=write)
        assert r.status_code == 200 and r.json() == {"author": None, "discarded": 1}

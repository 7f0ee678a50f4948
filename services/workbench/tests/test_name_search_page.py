"""按户主姓名查找 on the households page: the name goes in a POST body to the workbench and on
in the body of visits' search, so no address holds it; station staff find their own
households, a bureau sees no search box and is refused with the rule's words."""

from __future__ import annotations

from urllib.parse import quote

from .conftest import sign_in

STATION = "chengguan-qingbaishi"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
WRITE = {"X-Workbench": "1", "X-Workbench-Author": "qingbaishi-sg"}


async def a_head(web) -> tuple[str, str]:
    rows = (await web.get("/api/visits/households", params={"station_id": STATION})).json()
    first = next(h for h in rows["items"] if h["head_name"])
    return first["household_id"], first["head_name"]


def typed_loosely(name: str) -> str:
    """As a worker might type it on a phone: spaces around and inside, one of them full-width."""
    return f" {name[0]}\u3000{name[1:]} "


async def test_a_worker_finds_a_household_by_its_heads_name_with_the_name_in_no_address(stack, web):
    await sign_in(web, "qingbaishi-sg")
    listing = await web.get("/households")
    assert 'data-testid="name-search"' in listing.text and "按户主姓名查找" in listing.text
    hid, name = await a_head(web)
    r = await web.post("/households", content=f"name={quote(typed_loosely(name))}", headers=FORM)
    assert r.status_code == 200, r.text
    assert f'href="/households/{hid}"' in r.text and 'data-testid="search-result"' in r.text
    assert r.headers["cache-control"] == "no-store"
    for address in [str(r.url), *(str(h.url) for h in r.history)]:
        assert name not in address and quote(name) not in address, address
    missing = await web.post("/households", content=f"name={quote(name + '甲')}", headers=FORM)
    assert missing.status_code == 200 and f'href="/households/{hid}"' not in missing.text
    assert "没有户主叫这个名字的家庭" in missing.text


async def test_the_proxy_passes_the_search_in_the_body_to_visits(stack, web):
    await sign_in(web, "qingbaishi-sg")
    hid, name = await a_head(web)
    r = await web.post(
        "/api/visits/households/search", json={"name": typed_loosely(name)}, headers=WRITE
    )
    assert r.status_code == 200, r.text
    assert hid in {h["household_id"] for h in r.json()["items"]}
    assert {h["station_id"] for h in r.json()["items"]} == {STATION}


async def test_a_bureau_has_no_search_box_and_a_search_is_refused_in_the_rules_words(stack, web):
    await sign_in(web, "qingbaishi-sg")
    _, name = await a_head(web)
    await web.post("/signout")
    await sign_in(web, "chengguan-mz")
    listing = await web.get("/households")
    assert listing.status_code == 200 and 'data-testid="name-search"' not in listing.text
    r = await web.post("/households", content=f"name={quote(name)}", headers=FORM)
    assert r.status_code == 403
    assert "仅限社工和站长" in r.text and name not in str(r.url)


async def test_a_search_without_a_session_goes_to_sign_in_and_an_empty_one_to_the_list(stack, web):
    r = await web.post("/households", content="name=%E7%8E%8B", headers=FORM)
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/households"
    await sign_in(web, "qingbaishi-sg")
    blank = await web.post("/households", content="name=+", headers=FORM)
    assert blank.status_code == 303 and blank.headers["location"] == "/households"

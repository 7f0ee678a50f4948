"""The pages of the workbench, server-rendered from the services' read APIs.

Each page reads with the worker's own token, so a page shows exactly what the services let
this worker see. Forms on the pages are sent by the page's script (static/app.js) through the
queue, never by a plain form post: that is what lets them wait out a lost network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from shegong_runtime.auth import STATION_STAFF, Principal, Unauthenticated
from shegong_runtime.service import runtime

from shegong_workbench import session, stations, today, web
from shegong_workbench.entrypoints.signin import form_of
from shegong_workbench.upstream import Upstreams

router = APIRouter(include_in_schema=False)
Build = Callable[[Principal, str, Upstreams], Awaitable[Response]]


async def shown(request: Request, build: Build) -> Response:
    """Signed in, else to the sign-in page; a service's refusal or absence as a page."""
    try:
        me = await session.signed(request)
    except Unauthenticated:
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
    who, token = me.principal, session.token_for(request, me.principal)
    web.signed_name.set(me.display_name)
    try:
        return await build(who, token, request.app.state.upstreams)
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        if status == 401:
            return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
        titles = {403: "无权查看", 404: "未找到"}
        return web.message(titles.get(status, "出错了"), _reason(exc.response), status, who)
    except httpx.HTTPError:
        return web.message(
            "服务暂时无法连接", "请稍后再试；已填写的表单会保存在本机，联网后自动发送。", 502, who
        )


def _reason(response: httpx.Response) -> str:
    """What the service said: a problem's `detail` (its refusal in Chinese), else `message`."""
    try:
        body = response.json()
        return str(body.get("detail") or body.get("message") or response.text)
    except ValueError:
        return response.text[:200]


async def stations_of(request: Request, who: Principal) -> list[tuple[str, str]]:
    return await stations.visible(runtime(request), who)


@router.get("/")
async def start(request: Request) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        now = datetime.now(UTC)
        return web.page("today.html", who=who, **await today.lists(up, token, now))

    return await shown(request, build)


def next_page(request: Request, page: dict[str, Any]) -> str | None:
    """This page's address with the upstream list's next cursor, for a 下一页 link."""
    if page["next"] is None:
        return None
    url = request.url.include_query_params(cursor=page["next"])
    return f"{url.path}?{url.query}"


@router.get("/households")
async def households(
    request: Request, station_id: str | None = None, cursor: str | None = None
) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        page = await up.get("visits", "/households", token, station_id=station_id, cursor=cursor)
        return web.page(
            "households.html",
            who=who,
            rows=page["items"],
            next_page=next_page(request, page),
            stations=await stations_of(request, who),
            may_search=who.role in STATION_STAFF,
        )

    return await shown(request, build)


@router.post("/households")
async def households_named(request: Request) -> Response:
    """按户主姓名查找: the name comes in the form's body and goes on in the body of visits'
    `POST /households/search`, so it is in no address (this page's stays `/households`), no
    history entry and no log line; the answer is not stored (`no-store`, and the service
    worker keeps GET pages only). The next page is the same form with the cursor."""
    form = await form_of(request)
    name, cursor = form.get("name", "").strip(), form.get("cursor") or None
    if not name:
        return RedirectResponse("/households", status_code=303)

    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        body = {"name": name, "cursor": cursor}
        found = await up.search("visits", "/households/search", token, body)
        page = web.page(
            "households.html",
            who=who,
            rows=found["items"],
            searched=name,
            next_cursor=found["next"],
            may_search=who.role in STATION_STAFF,
        )
        page.headers["Cache-Control"] = "no-store"
        return page

    return await shown(request, build)


@router.get("/households/new")
async def new_household(request: Request) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        return web.page("household_new.html", who=who, stations=await stations_of(request, who))

    return await shown(request, build)


@router.get("/households/{household_id}")
async def household(household_id: str, request: Request) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        h = await up.get("visits", f"/households/{quote(household_id)}", token)
        latest = await up.get(
            "visits", f"/households/{quote(household_id)}/timeline", token, newest_first="true"
        )
        timeline = list(reversed(latest["items"]))  # the latest 50, shown newest first
        return web.page("household.html", who=who, h=h, timeline=timeline)

    return await shown(request, build)


@router.get("/meetings")
async def meetings(request: Request) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        latest = await up.get("engagement", "/meetings", token, newest_first="true")
        rows = list(reversed(latest["items"]))  # the latest 50, oldest of them first
        return web.page(
            "meetings.html", who=who, rows=rows, stations=await stations_of(request, who)
        )

    return await shown(request, build)


@router.get("/organisations")
async def organisations(request: Request) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        mine = await stations_of(request, who)
        rows: list[dict[str, Any]] = []
        for station, _ in mine:
            found = await up.get("registry", f"/stations/{station}/organisations", token)
            rows += found["items"]
        return web.page("organisations.html", who=who, rows=rows, stations=mine)

    return await shown(request, build)


@router.get("/volunteers")
async def volunteers(request: Request, cursor: str | None = None) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        page = await up.get("engagement", "/volunteers", token, cursor=cursor)
        return web.page(
            "volunteers.html",
            who=who,
            rows=page["items"],
            next_page=next_page(request, page),
            stations=await stations_of(request, who),
        )

    return await shown(request, build)


@router.get("/queue")
async def queue(request: Request) -> Response:
    """待发送 and 需要处理: drawn by the script from the browser's own queue (IndexedDB)."""

    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        return web.page("queue.html", who=who)

    return await shown(request, build)


@router.get("/offline")
async def offline() -> Response:
    """What the service worker shows for a page it has never had: the queue still works."""
    return web.page("offline.html")

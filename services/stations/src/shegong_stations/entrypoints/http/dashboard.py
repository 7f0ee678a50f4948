"""The dashboard: server-rendered pages over the same views as the JSON API.

People reach these pages through the station workbench (`/dashboard` there), whose sign-in
session adds the bearer header; the pages take nothing else. A `?token=` in the address is
refused with a 400 naming the rule, so no link, history entry or log line carries a token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from shegong_events.glossary import ROLE, word
from shegong_runtime.auth import Principal
from shegong_runtime.errors import DomainError
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.paging import PageRequest
from shegong_runtime.service import runtime

from shegong_stations import config, lag, roundup_render, views
from shegong_stations.entrypoints.http import access, params
from shegong_stations.entrypoints.http.api import docx_response
from shegong_stations.entrypoints.http.scope import roundup_choices, roundup_scope
from shegong_stations.queries import directory
from shegong_stations.roundup import Roundup
from shegong_stations.web import pages, pictures
from shegong_stations.web.templating import href

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
root = APIRouter(include_in_schema=False)
SIGN_IN_HINT = "请先登录社工站工作台，再从工作台的「看板」打开本页；令牌不能放在地址中。"
TITLES = {400: "地址有误", 401: "请先登录", 403: "无权查看", 404: "未找到", 422: "参数有误"}
STYLESHEET = files("shegong_stations.web").joinpath("static", "dashboard.css").read_text("utf-8")


def who_label(who: Principal) -> str:
    return f"{word(ROLE, who.role)} {who.subject}"


async def render(
    request: Request,
    build: Callable[[Principal], Awaitable[Response | str]],
) -> Response:
    """Check the caller (bearer header only), build the page; errors as pages."""
    try:
        who = access.from_page(request)
        who.require_role(access.VIEWERS)
        result = await build(who)
    except DomainError as exc:
        hint = SIGN_IN_HINT if exc.status in (400, 401) else ""
        return HTMLResponse(
            pages.message_page(TITLES.get(exc.status, "出错了"), str(exc), hint),
            status_code=exc.status,
        )
    return HTMLResponse(result) if isinstance(result, str) else result


@router.get("")
async def station_list(
    request: Request, on: Day | None = None, cursor: str | None = None
) -> Response:
    """The totals of every station the caller sees; the table a page of them at a time."""

    async def build(who: Principal) -> str:
        rt = runtime(request)
        everyone = await directory.stations(rt.pool)
        mine = directory.visible(who, everyone)
        day = params.day(on)
        page = PageRequest(config.settings().stations_shown, cursor, request, Response())
        total, after = await views.scoped(
            rt.pool, {"kind": "visible"}, mine, day, page, config.settings().urgent_needs_shown
        )
        rows = total["items"]
        trends = await views.trends_of(rt.pool, mine, day, config.settings().trend_weeks)
        charts = pictures.for_page(total["figures"], trends, names_of(mine))
        districts = [(d, n) for d, n in roundup_choices(who, everyone) if d]
        more = (
            href("/dashboard", on=on.isoformat() if on else None, cursor=after) if after else None
        )
        return pages.list_page(
            total, rows, charts, districts, lag.consumer_lag(rt), who_label(who), day, more
        )

    return await render(request, build)


def names_of(chosen: list[directory.Station]) -> dict[str, str]:
    return {st.station_id: st.name for st in chosen}


@router.get("/stations/{station_id}")
async def station_page(
    station_id: str,
    request: Request,
    on: Day | None = None,
) -> Response:
    async def build(who: Principal) -> str:
        rt = runtime(request)
        day = params.day(on)
        one = await views.station(
            rt.pool, who, station_id, day, config.settings().urgent_needs_shown
        )
        chosen = [directory.Station(**one["station"])]
        trends = await views.trends_of(rt.pool, chosen, day, config.settings().trend_weeks)
        charts = pictures.for_page(one["figures"], trends, names_of(chosen))
        district_visible = who.may_read_district(one["station"]["district_id"])
        return pages.station_page(
            one, charts, lag.consumer_lag(rt), who_label(who), district_visible
        )

    return await render(request, build)


@router.get("/districts/{district_id}")
async def district_page(
    district_id: str,
    request: Request,
    on: Day | None = None,
    cursor: str | None = None,
) -> Response:
    async def build(who: Principal) -> str:
        who.require_district(district_id)
        rt = runtime(request)
        day = params.day(on)
        chosen = directory.district(await directory.stations(rt.pool), district_id)
        page = PageRequest(config.settings().stations_shown, cursor, request, Response())
        rolled, after = await views.district(
            rt.pool, district_id, day, page, config.settings().urgent_needs_shown
        )
        trends = await views.trends_of(rt.pool, chosen, day, config.settings().trend_weeks)
        charts = pictures.for_page(rolled["figures"], trends, names_of(chosen))
        more = (
            href(
                f"/dashboard/districts/{district_id}",
                on=on.isoformat() if on else None,
                cursor=after,
            )
            if after
            else None
        )
        return pages.district_page(
            rolled, charts, lag.consumer_lag(rt), who_label(who), names_of(chosen), more
        )

    return await render(request, build)


@dataclass(frozen=True)
class RoundupAsked:
    """The roundup a page asks for: a district (else where the caller's scope starts) and a span."""

    district: str | None
    start: date | None
    end: date | None


async def roundup_asked(
    district: Identifier | None = None, start: Day | None = None, end: Day | None = None
) -> RoundupAsked:
    return RoundupAsked(district, start, end)


Asked = Annotated[RoundupAsked, Depends(roundup_asked)]


async def _roundup(
    request: Request, who: Principal, asked: RoundupAsked
) -> tuple[Roundup, list[directory.Station], list[tuple[str, str]], str]:
    """The roundup the page asks for, its stations, the scopes offered, the scope chosen."""
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    choices = roundup_choices(who, everyone)
    district = asked.district
    if district is None and not who.citywide and choices:
        district = choices[0][0]  # a district officer starts on their district
    name, chosen = roundup_scope(who, everyone, district or None)
    span = params.span(asked.start, asked.end, config.settings().roundup_max_days)
    r = await views.roundup(pool, name, chosen, everyone, span)
    return r, chosen, choices, district or ""


@router.get("/roundup")
async def roundup_page(request: Request, asked: Asked) -> Response:
    async def build(who: Principal) -> str:
        r, chosen, choices, scope = await _roundup(request, who, asked)
        weeks = config.settings().trend_weeks
        trends = await views.trends_of(runtime(request).pool, chosen, r.span.end, weeks)
        names = {st.station_id: st.name for st in chosen}
        article = roundup_render.html(r, pictures.for_roundup(r, trends, names))
        return pages.roundup_page(article, choices, scope, r.span.start, r.span.end, who_label(who))

    return await render(request, build)


@router.get("/roundup.md")
async def roundup_markdown(request: Request, asked: Asked) -> Response:
    async def build(who: Principal) -> Response:
        r, *_ = await _roundup(request, who, asked)
        filename = f"roundup-{r.span.start.isoformat()}-{r.span.end.isoformat()}.md"
        return PlainTextResponse(
            roundup_render.markdown(r),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )

    return await render(request, build)


@router.get("/roundup.docx")
async def roundup_document(request: Request, asked: Asked) -> Response:
    async def build(who: Principal) -> Response:
        return docx_response((await _roundup(request, who, asked))[0])

    return await render(request, build)


@router.get("/dashboard.css")
async def stylesheet() -> Response:
    """The pages' one stylesheet, with its print section (A4); public like any stylesheet."""
    return Response(
        STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@root.get("/")
async def home(request: Request) -> Response:
    if "token" in request.query_params:  # not even passed on in a redirect
        return HTMLResponse(
            pages.message_page(TITLES[400], access.TOKEN_IN_ADDRESS, SIGN_IN_HINT), status_code=400
        )
    query = request.url.query
    return RedirectResponse("/dashboard" + (f"?{query}" if query else ""), status_code=307)

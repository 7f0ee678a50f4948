"""The JSON query API: station, district and city read models, completeness, roundup, lag.

Every route takes a bearer token; callers see only the stations of their scope.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from shegong_runtime import paging
from shegong_runtime.auth import Principal
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.service import runtime

from shegong_stations import config, lag, roundup_docx, roundup_render, views
from shegong_stations.entrypoints.http import access, params
from shegong_stations.entrypoints.http.answers import (
    Completeness,
    LagAnswer,
    Rollup,
    RoundupAnswer,
    StationSummary,
)
from shegong_stations.entrypoints.http.scope import roundup_scope
from shegong_stations.queries import directory
from shegong_stations.roundup import Roundup
from shegong_stations.web import pictures

router = APIRouter(tags=["stations board"])


@router.get("/stations", response_model=Page[StationSummary])
async def list_stations(
    request: Request,
    page: Paging,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    """The stations the caller may see, by district, with their figures on the day `on`
    (default today); figures are read only for the stations of the page."""
    pool = runtime(request).pool
    mine = directory.visible(who, await directory.stations(pool))
    chosen, after = paging.slice_of_list(mine, directory.ORDER, page)
    found = await views.stations(pool, chosen, params.day(on), config.settings().urgent_needs_shown)
    return page.answer(found, after)


@router.get("/stations/{station_id}", response_model=StationSummary)
async def station(
    station_id: Identifier,
    request: Request,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    pool = runtime(request).pool
    return await views.station(
        pool, who, station_id, params.day(on), config.settings().urgent_needs_shown
    )


@router.get("/districts/{district_id}", response_model=Rollup, response_model_exclude_unset=True)
async def district(
    district_id: Identifier,
    request: Request,
    page: Paging,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    """The district's figures over all its stations, and a page of its stations' summaries."""
    who.require_district(district_id)
    pool = runtime(request).pool
    rolled, after = await views.district(
        pool, district_id, params.day(on), page, config.settings().urgent_needs_shown
    )
    return {**rolled, **page.answer(rolled["items"], after)}


@router.get("/city", response_model=Rollup, response_model_exclude_unset=True)
async def city(
    request: Request,
    page: Paging,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    access.require_city(who)
    rolled, after = await views.city(
        runtime(request).pool, params.day(on), page, config.settings().urgent_needs_shown
    )
    return {**rolled, **page.answer(rolled["items"], after)}


@router.get("/completeness", response_model=Page[Completeness])
async def completeness(
    request: Request,
    page: Paging,
    district: Identifier | None = None,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    """Documentation completeness of the visible stations side by side, for a peer exchange."""
    return page.answer(
        *await views.completeness_side_by_side(
            runtime(request).pool, who, district, params.day(on), page
        )
    )


@router.get(
    "/roundup",
    response_model=RoundupAnswer,
    responses={
        200: {
            "description": "the roundup as `format` asks: JSON, Markdown, HTML or a Word document",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                roundup_docx.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def roundup(
    request: Request,
    district: Identifier | None = Query(
        default=None, description="a district id; absent: the whole city"
    ),
    start: Day | None = Query(default=None, description="first day (default: six days before end)"),
    end: Day | None = Query(default=None, description="last day (default: today)"),
    format: Literal["json", "markdown", "html", "docx"] = "json",
    who: Principal = Depends(access.reader),
):
    """The weekly roundup (一周掠影) of the city or a district, written from the events."""
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    name, chosen = roundup_scope(who, everyone, district)
    span = params.span(start, end, config.settings().roundup_max_days)
    r = await views.roundup(pool, name, chosen, everyone, span)
    if format == "markdown":
        return PlainTextResponse(
            roundup_render.markdown(r), media_type="text/markdown; charset=utf-8"
        )
    if format == "html":
        trends = await views.trends_of(pool, chosen, span.end, config.settings().trend_weeks)
        names = {st.station_id: st.name for st in chosen}
        return HTMLResponse(roundup_render.html(r, pictures.for_roundup(r, trends, names)))
    if format == "docx":  # the document a district bureau files and forwards
        return docx_response(r)
    return {
        "title": r.title,
        "scope": name,
        "district_id": district,
        "start": r.span.start,
        "end": r.span.end,
        "lead": r.lead,
        "sections": [
            {
                "kind": s.kind,
                "heading": s.heading,
                "paragraphs": s.paragraphs,
                "mentions": [asdict(m) for m in s.mentions],
            }
            for s in r.sections
        ],
        "markdown": roundup_render.markdown(r),
        "totals": r.totals,
    }


def docx_response(r: Roundup) -> Response:
    """The roundup as a Word document to save (the API's and the dashboard's download)."""
    return Response(
        roundup_docx.docx(r),
        media_type=roundup_docx.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(r.title)}.docx"},
    )


@router.get("/lag", response_model=LagAnswer)
async def consumer_lag(request: Request, who: Principal = Depends(access.reader)):
    """Events each consumer of this replica has yet to apply (also in /metrics)."""
    rows = lag.consumer_lag(runtime(request))
    return {"pending": lag.total_pending(rows), "consumers": rows}

"""The JSON query API: station, district and city read models, completeness, roundup, lag.

Every route takes a bearer token; callers see only the stations of their scope.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from shegong_runtime.auth import Principal
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.service import runtime

from shegong_stations import lag, roundup_docx, roundup_render
from shegong_stations.entrypoints import access, params
from shegong_stations.entrypoints.scope import roundup_scope
from shegong_stations.views import directory, summary, weekly

router = APIRouter(tags=["stations board"])


@router.get("/stations")
async def list_stations(
    request: Request, on: Day | None = None, who: Principal = Depends(access.reader)
):
    """Every station the caller may see, with its figures on the day `on` (default today)."""
    pool = runtime(request).pool
    mine = directory.visible(who, await directory.stations(pool))
    return await summary.stations(pool, mine, params.day(on))


@router.get("/stations/{station_id}")
async def station(
    station_id: Identifier,
    request: Request,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    return await summary.station(runtime(request).pool, who, station_id, params.day(on))


@router.get("/districts/{district_id}")
async def district(
    district_id: Identifier,
    request: Request,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    access.require_district(who, district_id)
    return await summary.district(runtime(request).pool, district_id, params.day(on))


@router.get("/city")
async def city(request: Request, on: Day | None = None, who: Principal = Depends(access.reader)):
    access.require_city(who)
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    day = params.day(on)
    name = everyone[0].city if everyone else ""
    return summary.rollup(
        {"kind": "city", "name": name, "city": name},
        await summary.stations(pool, everyone, day),
        day,
    )


@router.get("/completeness")
async def completeness(
    request: Request,
    district: Identifier | None = None,
    on: Day | None = None,
    who: Principal = Depends(access.reader),
):
    """Documentation completeness of every visible station side by side, for a peer exchange."""
    pool = runtime(request).pool
    mine = directory.visible(who, await directory.stations(pool))
    if district:
        mine = [st for st in mine if st.district_id == district]
    parts = await summary.stations(pool, mine, params.day(on))
    return [
        {"station": p["station"], "completeness": p["completeness"], "evaluation": p["evaluation"]}
        for p in parts
    ]


@router.get(
    "/roundup",
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
    district: Identifier | None = Query(default=None, description="a district id; absent: the whole city"),
    start: Day | None = Query(
        default=None, description="first day (default: six days before end)"
    ),
    end: Day | None = Query(default=None, description="last day (default: today)"),
    format: Literal["json", "markdown", "html", "docx"] = "json",
    who: Principal = Depends(access.reader),
):
    """The weekly roundup (一周掠影) of the city or a district, written from the events."""
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    name, chosen = roundup_scope(who, everyone, district)
    r = await weekly.roundup(pool, name, chosen, everyone, params.span(start, end))
    if format == "markdown":
        return PlainTextResponse(
            roundup_render.markdown(r), media_type="text/markdown; charset=utf-8"
        )
    if format == "html":
        return HTMLResponse(roundup_render.html(r))
    if format == "docx":  # the document a district bureau files and forwards
        return Response(
            roundup_docx.docx(r),
            media_type=roundup_docx.MEDIA_TYPE,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(r.title)}.docx"},
        )
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
    }


@router.get("/lag")
async def consumer_lag(request: Request, who: Principal = Depends(access.reader)):
    """Events each consumer of this replica has yet to apply (also in /metrics)."""
    rows = lag.consumer_lag(runtime(request))
    return {"pending": lag.total_pending(rows), "consumers": rows}

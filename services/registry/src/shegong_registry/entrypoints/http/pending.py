"""Filings waiting for review longer than N days, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from shegong_events.calendar import now
from shegong_runtime import openapi
from shegong_runtime.inputs import Slug, When
from shegong_runtime.paging import Paging
from shegong_runtime.routes import Reader
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.entrypoints.http.answers import PendingFilings
from shegong_registry.entrypoints.http.common import when

router = APIRouter(tags=["organisations"])


@router.get(
    "/organisations/pending",
    responses=openapi.reading(PendingFilings, "filings waiting longer than asked, oldest first"),
)
async def pending_filings(
    request: Request,
    older_than_days: Annotated[int, Query(ge=0, le=3650)],
    who: Reader,
    page: Paging,
    as_of: Annotated[
        When | None, Query(description="default now; a date or zoneless time is China time")
    ] = None,
    station_id: Slug | None = None,
):
    """Oldest first; one station, or every station the caller sees."""
    rt = runtime(request)
    if station_id is not None:
        await rt.stations.check_read(who, station_id)
    scope = await rt.stations.scope(who, station_id)
    found = await views.pending_longer_than(rt, page, older_than_days, when(as_of) or now(), scope)
    return {"older_than_days": older_than_days, **page.answer(*found)}

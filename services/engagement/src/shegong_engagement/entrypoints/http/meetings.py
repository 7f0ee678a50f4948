"""Meetings: scheduled, held, cancelled; listed per station and counted by kind."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from shegong_events.calendar import at_noon, today
from shegong_events.engagement import MeetingKind
from shegong_runtime.auth import Principal
from shegong_runtime.commands import changed
from shegong_runtime.inputs import Day, Identifier, new_id
from shegong_runtime.paging import Page, Paging

from shegong_engagement import views
from shegong_engagement.domain.errors import MeetingNotFound
from shegong_engagement.domain.meeting import (
    MEETING,
    Cancel,
    CancelMeeting,
    Hold,
    HoldMeeting,
    Schedule,
    ScheduleMeeting,
)
from shegong_engagement.entrypoints.http import readings as doc
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    Writing,
    for_read,
    occurred_on,
    read_access,
)
from shegong_engagement.entrypoints.http.sealed import open_meeting_names

router = APIRouter(tags=["meetings"])
BASE = "/stations/{station_id}/meetings/{meeting_id}"
MEETING_LINK = {"meeting": doc.MEETING}


@router.post(
    "/stations/{station_id}/meetings",
    status_code=201,
    responses=doc.changed(201, "scheduled", **MEETING_LINK),
)
async def schedule_meeting(station_id: Identifier, body: ScheduleMeeting, call: Writing):
    meeting_id = body.meeting_id or new_id("m")
    return await call.run(
        MEETING,
        meeting_id,
        Schedule(station_id, meeting_id, body),
        station_id=station_id,
        respond=changed(201, "meeting_id"),
        occurred_at=occurred_on(body.announced_on),
    )


@router.post(f"{BASE}/held", responses=doc.changed(200, "held", **MEETING_LINK))
async def hold_meeting(
    station_id: Identifier, meeting_id: Identifier, body: HoldMeeting, call: Writing
):
    return await call.run(
        MEETING,
        meeting_id,
        Hold(station_id, meeting_id, body),
        station_id=station_id,
        respond=changed(200, "meeting_id"),
        occurred_at=at_noon(body.held_on),
    )


@router.post(f"{BASE}/cancellation", responses=doc.changed(200, "cancelled", **MEETING_LINK))
async def cancel_meeting(
    station_id: Identifier, meeting_id: Identifier, body: CancelMeeting, call: Writing
):
    command = Cancel(station_id, meeting_id, body, today())
    return await call.run(
        MEETING,
        meeting_id,
        command,
        station_id=station_id,
        respond=changed(200, "meeting_id"),
        occurred_at=occurred_on(body.cancelled_on),
    )


@router.get(
    "/meetings", responses=doc.reading(Page[doc.Meeting], "meetings, oldest (or newest) first")
)
async def list_meetings(
    request: Request,
    page: Paging,
    station_id: Identifier | None = None,
    kind: MeetingKind | None = None,
    status: str | None = Query(default=None, pattern="^(scheduled|held|cancelled)$"),
    held_from: Day | None = None,
    held_to: Day | None = None,
    newest_first: bool = Query(default=False, description="the latest meetings first"),
    who: Principal = Depends(read_access),
):
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    filters = (kind, status, held_from, held_to, newest_first)
    return page.answer(*await views.meetings(rt, page, stations, *filters))


@router.get(
    "/meetings/by-kind", responses=doc.reading(Page[doc.KindCount], "counts per station and kind")
)
async def meetings_by_kind(
    request: Request,
    page: Paging,
    station_id: Identifier | None = None,
    who: Principal = Depends(read_access),
):
    """Meetings per station and kind: how many scheduled, held, cancelled, and who came."""
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    return page.answer(*await views.meetings_by_kind(rt, page, stations))


@router.get(
    "/stations/{station_id}/meetings/{meeting_id}",
    responses=doc.reading(doc.MeetingDetail, "the meeting with its deliberation"),
)
async def meeting_detail(
    station_id: Identifier,
    meeting_id: Identifier,
    request: Request,
    who: Principal = Depends(read_access),
):
    rt = await for_read(request, who, station_id)
    row = await views.meeting(rt, station_id, meeting_id)
    if row is None:
        raise MeetingNotFound(f"no meeting {meeting_id} at station {station_id} (yet)")
    return await open_meeting_names(rt, row, who.role in PERSONAL_DATA_ROLES)

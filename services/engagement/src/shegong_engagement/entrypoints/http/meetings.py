"""Meetings: scheduled, held, cancelled; listed per station and counted by kind."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from shegong_events.calendar import at_noon, today
from shegong_events.engagement import MeetingKind
from shegong_runtime import openapi
from shegong_runtime.auth import WRITERS
from shegong_runtime.commands import changed
from shegong_runtime.inputs import Day, Identifier, new_id
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Reader, Writing

from shegong_engagement import views
from shegong_engagement.domain.errors import MeetingNotFound
from shegong_engagement.domain.meeting import Cancel, Hold, Schedule
from shegong_engagement.entrypoints.http import answers, bodies
from shegong_engagement.entrypoints.http.common import MEETING_LINK, for_read, meeting, occurred_on
from shegong_engagement.entrypoints.http.sealed import open_meeting_names

router = APIRouter(tags=["meetings"])
BASE = "/stations/{station_id}/meetings/{meeting_id}"


@router.post(
    "/stations/{station_id}/meetings",
    status_code=201,
    responses=openapi.command(201, "scheduled", meeting=MEETING_LINK),
)
async def schedule_meeting(station_id: Identifier, body: bodies.ScheduleMeeting, call: Writing):
    meeting_id = body.meeting_id or new_id("m")
    facts = body.facts("meeting_id", "announced_on")
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            Schedule(station_id=station_id, meeting_id=meeting_id, **facts),
            changed(201, "meeting_id"),
            occurred_at=occurred_on(body.announced_on),
        )
    )


@router.post(
    f"{BASE}/held",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "held", meeting=MEETING_LINK),
)
async def hold_meeting(
    station_id: Identifier, meeting_id: Identifier, body: bodies.HoldMeeting, call: Writing
):
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            Hold(station_id=station_id, meeting_id=meeting_id, **body.facts()),
            changed(200, "meeting_id"),
            occurred_at=at_noon(body.held_on),
        )
    )


@router.post(
    f"{BASE}/cancellation",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "cancelled", meeting=MEETING_LINK),
)
async def cancel_meeting(
    station_id: Identifier, meeting_id: Identifier, body: bodies.CancelMeeting, call: Writing
):
    command = Cancel(station_id, meeting_id, body.reason, today(), body.cancelled_on)
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            command,
            changed(200, "meeting_id"),
            occurred_at=occurred_on(body.cancelled_on),
        )
    )


@router.get(
    "/meetings",
    responses=openapi.reading(Page[answers.Meeting], "meetings, oldest (or newest) first"),
)
async def list_meetings(
    request: Request,
    page: Paging,
    who: Reader,
    station_id: Identifier | None = None,
    kind: MeetingKind | None = None,
    status: str | None = Query(default=None, pattern="^(scheduled|held|cancelled)$"),
    held_from: Day | None = None,
    held_to: Day | None = None,
    newest_first: bool = Query(default=False, description="the latest meetings first"),
):
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    filters = (kind, status, held_from, held_to, newest_first)
    return page.answer(*await views.meetings(rt, page, stations, *filters))


@router.get(
    "/meetings/by-kind",
    responses=openapi.reading(Page[answers.KindCount], "counts per station and kind"),
)
async def meetings_by_kind(
    request: Request, page: Paging, who: Reader, station_id: Identifier | None = None
):
    """Meetings per station and kind: how many scheduled, held, cancelled, and who came."""
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    return page.answer(*await views.meetings_by_kind(rt, page, stations))


@router.get(
    "/stations/{station_id}/meetings/{meeting_id}",
    responses=openapi.reading(answers.MeetingDetail, "the meeting with its deliberation"),
)
async def meeting_detail(
    station_id: Identifier, meeting_id: Identifier, request: Request, who: Reader
):
    rt = await for_read(request, who, station_id)
    row = await views.meeting(rt, station_id, meeting_id)
    if row is None:
        raise MeetingNotFound(f"社工站 {station_id} 没有（或尚未同步）会议 {meeting_id}")
    return await open_meeting_names(rt, row, who.role in WRITERS)

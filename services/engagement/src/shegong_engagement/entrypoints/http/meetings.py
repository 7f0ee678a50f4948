"""Meetings: scheduled, held, cancelled; listed per station and counted by kind."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from shegong_events.engagement import MeetingKind
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Day, Identifier

from shegong_engagement import views
from shegong_engagement.domain.aggregates import MEETING
from shegong_engagement.domain.clock import noon, today
from shegong_engagement.domain.errors import MeetingNotFound
from shegong_engagement.domain.meeting import (
    CancelMeeting,
    HoldMeeting,
    ScheduleMeeting,
    cancel,
    hold,
    schedule,
)
from shegong_engagement.entrypoints.http.commands import answered, command, occurred_on
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    for_read,
    for_write,
    new_id,
    read_access,
    visible,
    write_access,
)
from shegong_engagement.entrypoints.http.sealed import open_meeting_names

router = APIRouter(tags=["meetings"])


@router.post("/stations/{station_id}/meetings", status_code=201)
async def schedule_meeting(
    station_id: Identifier,
    body: ScheduleMeeting,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    cmd = body if body.meeting_id else body.model_copy(update={"meeting_id": new_id("m")})
    return await command(
        rt,
        MEETING,
        cmd.meeting_id,
        station_id,
        ctx,
        lambda state: schedule(state, cmd),
        answered(201, "meeting_id"),
        occurred_on(cmd.announced_on),
    )


@router.post("/stations/{station_id}/meetings/{meeting_id}/held")
async def hold_meeting(
    station_id: Identifier,
    meeting_id: Identifier,
    body: HoldMeeting,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    return await command(
        rt,
        MEETING,
        meeting_id,
        station_id,
        ctx,
        lambda state: hold(state, station_id, meeting_id, body),
        answered(200, "meeting_id"),
        noon(body.held_on),
    )


@router.post("/stations/{station_id}/meetings/{meeting_id}/cancellation")
async def cancel_meeting(
    station_id: Identifier,
    meeting_id: Identifier,
    body: CancelMeeting,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    return await command(
        rt,
        MEETING,
        meeting_id,
        station_id,
        ctx,
        lambda state: cancel(state, station_id, meeting_id, body, today()),
        answered(200, "meeting_id"),
        occurred_on(body.cancelled_on),
    )


@router.get("/meetings")
async def list_meetings(
    request: Request,
    station_id: Identifier | None = None,
    kind: MeetingKind | None = None,
    status: str | None = Query(default=None, pattern="^(scheduled|held|cancelled)$"),
    held_from: Day | None = None,
    held_to: Day | None = None,
    who: Principal = Depends(read_access),
):
    rt = await for_read(request, who, station_id)
    return visible(rt, who, await views.meetings(rt, station_id, kind, status, held_from, held_to))


@router.get("/meetings/by-kind")
async def meetings_by_kind(
    request: Request, station_id: Identifier | None = None, who: Principal = Depends(read_access)
):
    """Meetings per station and kind: how many scheduled, held, cancelled, and who came."""
    rt = await for_read(request, who, station_id)
    return visible(rt, who, await views.meetings_by_kind(rt, station_id))


@router.get("/stations/{station_id}/meetings/{meeting_id}")
async def meeting_detail(
    station_id: Identifier, meeting_id: Identifier, request: Request, who: Principal = Depends(read_access)
):
    rt = await for_read(request, who, station_id)
    row = await views.meeting(rt, station_id, meeting_id)
    if row is None:
        raise MeetingNotFound(f"no meeting {meeting_id} at station {station_id} (yet)")
    return await open_meeting_names(rt, row, who.role in PERSONAL_DATA_ROLES)

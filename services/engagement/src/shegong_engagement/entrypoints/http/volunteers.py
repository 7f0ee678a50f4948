"""Volunteers: enrolled (name and phone sealed), trained, checked in and out; hours read back."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events.calendar import at_noon, now, today
from shegong_runtime import masking
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext, handle
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier, new_id

from shegong_engagement import views
from shegong_engagement.config import EngagementConfig, current
from shegong_engagement.domain.errors import VolunteerNotFound
from shegong_engagement.domain.volunteer import (
    VOLUNTEER,
    AttendTraining,
    BeginSession,
    CheckIn,
    CheckOut,
    EndSession,
    Enroll,
    EnrollVolunteer,
    RecordTraining,
)
from shegong_engagement.entrypoints.http import readings as doc
from shegong_engagement.entrypoints.http.answers import answered, last_data
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    for_read,
    for_write,
    occurred_on,
    read_access,
    visible,
    write_access,
)
from shegong_engagement.entrypoints.http.sealed import open_volunteer, volunteer_subject

router = APIRouter(tags=["volunteers"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"
VOLUNTEER_LINK = {"volunteer": doc.VOLUNTEER}


@router.post(
    "/stations/{station_id}/volunteers",
    status_code=201,
    responses=doc.changed(201, "enrolled", **VOLUNTEER_LINK),
)
async def enroll_volunteer(
    station_id: Identifier,
    body: EnrollVolunteer,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    volunteer_id = body.volunteer_id or new_id("v")
    subject = volunteer_subject(volunteer_id)
    name, phone = await rt.keys.seal(subject, body.name), await rt.keys.seal(subject, body.phone)
    enroll = Enroll(station_id, volunteer_id, body, name or "", phone, today())
    answer = await handle(
        rt.store, VOLUNTEER, volunteer_id, enroll,
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.enrolled_on),
        respond=answered(201, "volunteer_id"),
    )
    return respond(answer)


@router.post(f"{BASE}/trainings", status_code=201, responses=doc.changed(201, "recorded", **VOLUNTEER_LINK))
async def record_training(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: RecordTraining,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    answer = await handle(
        rt.store, VOLUNTEER, volunteer_id, AttendTraining(station_id, volunteer_id, body),
        station_id=station_id, ctx=ctx, occurred_at=at_noon(body.attended_on),
        respond=answered(201, "volunteer_id", training_id=last_data("training_id")),
    )
    return respond(answer)


@router.post(f"{BASE}/sessions", status_code=201, responses=doc.changed(201, "checked in", **VOLUNTEER_LINK))
async def check_in(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: CheckIn,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
    config: EngagementConfig = Depends(current),
):
    """Start a service session; an open one past the limit is closed at the limit first."""
    rt = await for_write(request, who, station_id)
    session_id = body.session_id or new_id("s")
    begin = BeginSession(station_id, volunteer_id, session_id, body, now(), config.session_limit)
    answer = await handle(
        rt.store, VOLUNTEER, volunteer_id, begin,
        station_id=station_id, ctx=ctx, occurred_at=body.checked_in_at,
        respond=answered(201, "volunteer_id", session_id=last_data("session_id")),
    )
    return respond(answer)


@router.post(
    BASE + "/sessions/{session_id}/check-out",
    responses=doc.changed(200, "checked out", **VOLUNTEER_LINK),
)
async def check_out(
    station_id: Identifier,
    volunteer_id: Identifier,
    session_id: Identifier,
    body: CheckOut,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
    config: EngagementConfig = Depends(current),
):
    """End a session; one longer than the limit is closed at the limit and flagged auto_closed."""
    rt = await for_write(request, who, station_id)
    end = EndSession(station_id, volunteer_id, session_id, body, now(), config.session_limit)
    answer = await handle(
        rt.store, VOLUNTEER, volunteer_id, end,
        station_id=station_id, ctx=ctx, occurred_at=body.checked_out_at,
        respond=answered(
            200,
            "volunteer_id",
            session_id=last_data("session_id"),
            minutes=last_data("minutes"),
            auto_closed=last_data("auto_closed"),
        ),
    )
    return respond(answer)


@router.get("/volunteers", responses=doc.reading(list[doc.Volunteer], "volunteers, without names"))
async def list_volunteers(
    request: Request, station_id: Identifier | None = None, who: Principal = Depends(read_access)
):
    """Volunteers with their trainings and hours; names only in a volunteer's own record."""
    rt = await for_read(request, who, station_id)
    rows = visible(rt, who, await views.volunteers(rt, station_id))
    return [await open_volunteer(rt, r, allowed=False) for r in rows]


@router.get(BASE, responses=doc.reading(doc.VolunteerDetail, "the volunteer with sessions and certificates"))
async def volunteer_detail(
    station_id: Identifier, volunteer_id: Identifier, request: Request, who: Principal = Depends(read_access)
):
    rt = await for_read(request, who, station_id)
    row = await views.volunteer(rt, station_id, volunteer_id)
    if row is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id} at station {station_id} (yet)")
    opened = await open_volunteer(rt, row, who.role in PERSONAL_DATA_ROLES)
    return masking.for_reader(who, opened)  # a bureau sees the phone masked


@router.get("/hours", responses=doc.reading(list[doc.Hours], "service hours per station"))
async def hours_by_station(
    request: Request, station_id: Identifier | None = None, who: Principal = Depends(read_access)
):
    """Service hours per station: volunteers, sessions, minutes, hours, auto-closed, certified."""
    rt = await for_read(request, who, station_id)
    return visible(rt, who, await views.hours_by_station(rt, station_id))

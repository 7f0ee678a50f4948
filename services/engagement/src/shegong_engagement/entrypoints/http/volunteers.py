"""Volunteers: enrolled (name and phone sealed), trained, checked in and out; hours read back."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from shegong_runtime import masking
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Identifier

from shegong_engagement import views
from shegong_engagement.domain.aggregates import VOLUNTEER
from shegong_engagement.domain.clock import noon, today
from shegong_engagement.domain.errors import VolunteerNotFound
from shegong_engagement.domain.volunteer import (
    CheckIn,
    CheckOut,
    EnrollVolunteer,
    RecordTraining,
    attend_training,
    check_in,
    check_out,
    enroll,
)
from shegong_engagement.entrypoints.http.commands import (
    answered,
    command,
    last_data,
    occurred_on,
    volunteer_command,
)
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    config,
    for_read,
    for_write,
    new_id,
    read_access,
    visible,
    write_access,
)
from shegong_engagement.entrypoints.http.sealed import open_volunteer, volunteer_subject

router = APIRouter(tags=["volunteers"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"


@router.post("/stations/{station_id}/volunteers", status_code=201)
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
    return await command(
        rt,
        VOLUNTEER,
        volunteer_id,
        station_id,
        ctx,
        lambda state: enroll(state, body, name or "", phone, today()),
        answered(201, "volunteer_id"),
        occurred_on(body.enrolled_on),
    )


@router.post(f"{BASE}/trainings", status_code=201)
async def record_training(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: RecordTraining,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    return await volunteer_command(
        rt,
        volunteer_id,
        station_id,
        ctx,
        lambda state: attend_training(state, body),
        answered(201, "volunteer_id", training_id=last_data("training_id")),
        noon(body.attended_on),
    )


@router.post(f"{BASE}/sessions", status_code=201)
async def check_in_session(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: CheckIn,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    """Start a service session; an open one past the limit is closed at the limit first."""
    rt = await for_write(request, who, station_id)
    session_id = body.session_id or new_id("s")
    return await volunteer_command(
        rt,
        volunteer_id,
        station_id,
        ctx,
        lambda state: check_in(
            state, session_id, body, datetime.now(UTC), config(rt).session_limit
        ),
        answered(201, "volunteer_id", session_id=last_data("session_id")),
        body.checked_in_at,
    )


@router.post(BASE + "/sessions/{session_id}/check-out")
async def check_out_session(
    station_id: Identifier,
    volunteer_id: Identifier,
    session_id: Identifier,
    body: CheckOut,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    """End a session; one longer than the limit is closed at the limit and flagged auto_closed."""
    rt = await for_write(request, who, station_id)
    return await volunteer_command(
        rt,
        volunteer_id,
        station_id,
        ctx,
        lambda state: check_out(
            state, session_id, body, datetime.now(UTC), config(rt).session_limit
        ),
        answered(
            200,
            "volunteer_id",
            session_id=last_data("session_id"),
            minutes=last_data("minutes"),
            auto_closed=last_data("auto_closed"),
        ),
        body.checked_out_at,
    )


@router.get("/volunteers")
async def list_volunteers(
    request: Request, station_id: Identifier | None = None, who: Principal = Depends(read_access)
):
    """Volunteers with their trainings and hours; names only in a volunteer's own record."""
    rt = await for_read(request, who, station_id)
    rows = visible(rt, who, await views.volunteers(rt, station_id))
    return [await open_volunteer(rt, r, allowed=False) for r in rows]


@router.get(BASE)
async def volunteer_detail(
    station_id: Identifier, volunteer_id: Identifier, request: Request, who: Principal = Depends(read_access)
):
    rt = await for_read(request, who, station_id)
    row = await views.volunteer(rt, station_id, volunteer_id)
    if row is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id} at station {station_id} (yet)")
    opened = await open_volunteer(rt, row, who.role in PERSONAL_DATA_ROLES)
    return masking.for_reader(who, opened)  # a bureau sees the phone masked


@router.get("/hours")
async def hours(
    request: Request, station_id: Identifier | None = None, who: Principal = Depends(read_access)
):
    """Service hours per station: volunteers, sessions, minutes, hours, auto-closed, certified."""
    rt = await for_read(request, who, station_id)
    return visible(rt, who, await views.hours_by_station(rt, station_id))

"""Volunteers: enrolled (name and phone sealed), trained, checked in and out; hours read back."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from shegong_events.calendar import at_noon, now, today
from shegong_runtime import masking, openapi
from shegong_runtime.auth import WRITERS
from shegong_runtime.commands import Sealer, changed, last, last_of
from shegong_runtime.inputs import Identifier, new_id
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Reader, Writing

from shegong_engagement import config, views
from shegong_engagement.domain.errors import VolunteerNotFound
from shegong_engagement.domain.volunteer import (
    AttendTraining,
    BeginSession,
    EndSession,
    Enroll,
    Volunteer,
)
from shegong_engagement.entrypoints.http import answers, bodies
from shegong_engagement.entrypoints.http.common import (
    VOLUNTEER_LINK,
    for_read,
    occurred_on,
    volunteer,
)
from shegong_engagement.entrypoints.http.sealed import open_volunteer, volunteer_subject

router = APIRouter(tags=["volunteers"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"


@router.post(
    "/stations/{station_id}/volunteers",
    status_code=201,
    responses=openapi.command(201, "enrolled", volunteer=VOLUNTEER_LINK),
)
async def enroll_volunteer(station_id: Identifier, body: bodies.EnrollVolunteer, call: Writing):
    volunteer_id = body.volunteer_id or new_id("v")
    enrolment = partial(_enrolment, station_id, volunteer_id, body)
    return await call.send(
        volunteer(
            station_id,
            volunteer_id,
            enrolment,
            changed(201, "volunteer_id"),
            subject=volunteer_subject(volunteer_id),
            occurred_at=occurred_on(body.enrolled_on),
        )
    )


async def _enrolment(
    station_id: str,
    volunteer_id: str,
    body: bodies.EnrollVolunteer,
    _state: Volunteer,
    seal: Sealer,
) -> Enroll:
    """The enrolment, name and phone sealed once the caller's scope is settled."""
    name, phone = await seal(body.name), await seal(body.phone)
    return Enroll(
        station_id=station_id,
        volunteer_id=volunteer_id,
        **body.facts("volunteer_id", "name", "phone"),
        name_sealed=name or "",
        phone_sealed=phone,
        today=today(),
    )


@router.post(
    f"{BASE}/trainings",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "recorded", volunteer=VOLUNTEER_LINK),
)
async def record_training(
    station_id: Identifier, volunteer_id: Identifier, body: bodies.RecordTraining, call: Writing
):
    return await call.send(
        volunteer(
            station_id,
            volunteer_id,
            AttendTraining(station_id=station_id, volunteer_id=volunteer_id, **body.facts()),
            changed(201, "volunteer_id", training_id=last("training_id")),
            occurred_at=at_noon(body.attended_on),
        )
    )


@router.post(
    f"{BASE}/sessions",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "checked in", volunteer=VOLUNTEER_LINK),
)
async def check_in(
    station_id: Identifier, volunteer_id: Identifier, body: bodies.CheckIn, call: Writing
):
    """Start a service session; an open one past the limit is closed at the limit first."""
    begin = BeginSession(
        station_id=station_id,
        volunteer_id=volunteer_id,
        **body.facts("session_id"),
        session_id=body.session_id or new_id("s"),
        now=now(),
        limit=config.settings().session_limit,
    )
    return await call.send(
        volunteer(
            station_id,
            volunteer_id,
            begin,
            changed(201, "volunteer_id", session_id=last("session_id")),
            occurred_at=body.checked_in_at,
        )
    )


@router.post(
    BASE + "/sessions/{session_id}/check-out",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "checked out", volunteer=VOLUNTEER_LINK),
)
async def check_out(
    station_id: Identifier,
    volunteer_id: Identifier,
    session_id: Identifier,
    body: bodies.CheckOut,
    call: Writing,
):
    """End a session; one longer than the limit is closed at the limit and flagged auto_closed."""
    limit = config.settings().session_limit
    end = EndSession(
        station_id, volunteer_id, session_id, body.checked_out_at, now=now(), limit=limit
    )
    return await call.send(
        volunteer(
            station_id,
            volunteer_id,
            end,
            changed(200, "volunteer_id", **last_of("session_id", "minutes", "auto_closed")),
            occurred_at=body.checked_out_at,
        )
    )


@router.get(
    "/volunteers",
    responses=openapi.reading(Page[answers.Volunteer], "volunteers, without names"),
)
async def list_volunteers(
    request: Request, page: Paging, who: Reader, station_id: Identifier | None = None
):
    """Volunteers with their trainings and hours; names only in a volunteer's own record."""
    rt = await for_read(request, who, station_id)
    rows, after = await views.volunteers(rt, page, await rt.stations.scope(who, station_id))
    return page.answer([await open_volunteer(rt, r, allowed=False) for r in rows], after)


@router.get(
    BASE,
    responses=openapi.reading(
        answers.VolunteerDetail, "the volunteer with sessions and certificates"
    ),
)
async def volunteer_detail(
    station_id: Identifier, volunteer_id: Identifier, request: Request, who: Reader
):
    rt = await for_read(request, who, station_id)
    row = await views.volunteer(rt, station_id, volunteer_id)
    if row is None:
        raise VolunteerNotFound(f"社工站 {station_id} 没有（或尚未同步）志愿者 {volunteer_id}")
    opened = await open_volunteer(rt, row, who.role in WRITERS)
    return masking.for_reader(who, opened)  # a bureau sees the phone masked


@router.get("/hours", responses=openapi.reading(Page[answers.Hours], "service hours per station"))
async def hours_by_station(
    request: Request, page: Paging, who: Reader, station_id: Identifier | None = None
):
    """Service hours per station: volunteers, sessions, minutes, hours, auto-closed, certified."""
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    return page.answer(*await views.hours_by_station(rt, page, stations))

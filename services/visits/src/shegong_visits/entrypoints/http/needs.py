"""Needs: identify, refer, resolve, close; open needs by severity."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_events import calendar
from shegong_events.calendar import at_noon
from shegong_events.visits import Severity
from shegong_runtime.inputs import Identifier, new_id
from shegong_runtime.paging import Paging
from shegong_runtime.routes import Reader, Writing
from shegong_runtime.service import runtime

from shegong_visits import views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies, building
from shegong_visits.entrypoints.http.common import household
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["needs"])


@router.post(
    "/households/{household_id}/needs",
    status_code=201,
    responses=changed(201),
)
async def identify_need(household_id: Identifier, body: bodies.IdentifyNeed, call: Writing):
    need_id, on = body.need_id or new_id("nd"), body.identified_on or calendar.today()
    build = building.need(body, need_id, on)
    return await call.send(
        household(household_id, build, status=201, occurred_at=at_noon(on), need_id=need_id)
    )


@router.post(
    "/households/{household_id}/needs/{need_id}/referrals",
    status_code=201,
    responses=changed(201),
)
async def refer_need(
    need_id: Identifier, household_id: Identifier, body: bodies.ReferNeed, call: Writing
):
    """Refer to an agency: refused (409) without consent or a recorded legal basis."""
    on = body.referred_on or calendar.today()
    command = commands.ReferNeed(
        need_id, body.agency, body.agency_kind, on, body.shares_personal_data
    )
    return await call.send(
        household(household_id, command, status=201, occurred_at=at_noon(on), need_id=need_id)
    )


@router.post(
    "/households/{household_id}/needs/{need_id}/resolution",
    responses=changed(),
)
async def resolve_need(
    need_id: Identifier, household_id: Identifier, body: bodies.ResolveNeed, call: Writing
):
    on = body.resolved_on or calendar.today()
    build = building.resolution(body, need_id, on)
    return await call.send(household(household_id, build, occurred_at=at_noon(on), need_id=need_id))


@router.post(
    "/households/{household_id}/needs/{need_id}/closure",
    responses=changed(),
)
async def close_need(
    need_id: Identifier, household_id: Identifier, body: bodies.CloseNeed, call: Writing
):
    on = body.closed_on or calendar.today()
    command = commands.CloseNeed(need_id, body.reason, on)
    return await call.send(
        household(household_id, command, occurred_at=at_noon(on), need_id=need_id)
    )


@router.get("/needs/open", responses={200: {"model": answers.OpenNeeds}})
async def open_needs(
    request: Request,
    who: Reader,
    page: Paging,
    station_id: Identifier | None = None,
    severity: Severity | None = None,
):
    """Open and referred needs, urgent first, a page at a time, with the count of all of them
    per severity."""
    rt = runtime(request)
    stations = await rt.stations.scope(who, station_id)
    answer = page.answer(*await views.open_needs(rt, page, stations, severity))
    return {"by_severity": await views.open_needs_by_severity(rt, stations), **answer}

"""Visits: schedule, record (with the needs found), follow-ups, and the overdue list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_events import calendar
from shegong_events.visits import RiskTier
from shegong_runtime.inputs import Identifier, When, new_id
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Reader, Writing
from shegong_runtime.service import runtime

from shegong_visits import views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies, building
from shegong_visits.entrypoints.http.common import household
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["visits"])


@router.post(
    "/households/{household_id}/visits/scheduled",
    status_code=201,
    responses=changed(201),
)
async def schedule_visit(household_id: Identifier, body: bodies.ScheduleVisit, call: Writing):
    visit_id = body.visit_id or new_id("vs")
    command = commands.ScheduleVisit(
        visit_id, body.scheduled_for, body.social_worker_id, tuple(body.purposes)
    )
    return await call.send(household(household_id, command, status=201, visit_id=visit_id))


@router.post(
    "/households/{household_id}/visits",
    status_code=201,
    responses=changed(201),
)
async def record_visit(household_id: Identifier, body: bodies.RecordVisit, call: Writing):
    """Record a visit, scheduled (give its visit_id) or not; needs found are appended with it."""
    visit_id, at = body.visit_id or new_id("vs"), calendar.as_aware(body.visited_at)
    need_ids = [n.need_id or f"{visit_id}-n{i + 1}" for i, n in enumerate(body.needs)]
    build = building.visit(body, visit_id, need_ids, at)
    return await call.send(
        household(
            household_id, build, status=201, occurred_at=at, visit_id=visit_id, need_ids=need_ids
        )
    )


@router.post(
    "/households/{household_id}/follow-ups",
    status_code=201,
    responses=changed(201),
)
async def schedule_follow_up(
    household_id: Identifier, body: bodies.ScheduleFollowUp, call: Writing
):
    command = commands.ScheduleFollowUp(body.follow_up_on, body.social_worker_id, body.need_id)
    return await call.send(household(household_id, command, status=201))


@router.get(
    "/visits/overdue",
    responses={200: {"model": Page[answers.OverdueHousehold]}},
)
async def overdue_visits(
    request: Request,
    who: Reader,
    page: Paging,
    station_id: Identifier | None = None,
    as_of: When | None = None,
    tier: RiskTier | None = None,
):
    """Households whose next visit is overdue (as of now, or `as_of`), the longest overdue first."""
    rt = runtime(request)
    moment = calendar.as_aware(as_of) if as_of else calendar.now()
    stations = await rt.stations.scope(who, station_id)
    return page.answer(*await views.overdue(rt, page, stations, moment, tier))

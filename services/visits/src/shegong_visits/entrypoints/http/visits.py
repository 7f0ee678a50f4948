"""Visits: schedule, record (with the needs found), follow-ups, and the overdue list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_events import calendar
from shegong_events.visits import RiskTier
from shegong_runtime.inputs import Identifier, When, new_id
from shegong_runtime.paging import Page, Paging
from shegong_runtime.service import runtime

from shegong_visits import personal, views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies
from shegong_visits.entrypoints.http.common import (
    HouseholdCommands,
    OnHousehold,
    Reader,
    Sealer,
)
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["visits"])


@router.post(
    "/households/{household_id}/visits/scheduled",
    status_code=201,
    operation_id="schedule_visit",
    responses=changed(201),
)
async def schedule(body: bodies.ScheduleVisit, household: OnHousehold):
    visit_id = body.visit_id or new_id("vs")
    command = commands.ScheduleVisit(
        visit_id, body.scheduled_for, body.social_worker_id, tuple(body.purposes)
    )
    return await household.handle(command, status=201, visit_id=visit_id)


async def _visit(
    household: HouseholdCommands,
    body: bodies.RecordVisit,
    visit_id: str,
    need_ids: list[str],
    seal: Sealer,
) -> commands.RecordVisit:
    """The visit as the event carries it: notes, observations and the needs' notes sealed."""
    observations = body.observations.model_dump(exclude_none=True) if body.observations else None
    needs = [
        commands.FoundNeed(need_id, n.category, n.severity, n.member_id, await seal(n.notes))
        for need_id, n in zip(need_ids, body.needs, strict=True)
    ]
    return commands.RecordVisit(
        visit_id=visit_id,
        visited_at=calendar.as_aware(body.visited_at),
        mode=body.mode,
        social_worker_ids=tuple(body.social_worker_ids),
        volunteer_ids=tuple(body.volunteer_ids),
        services=tuple(body.services),
        observations_sealed=await personal.seal_json(
            household.rt, household.household_id, observations
        ),
        risks_observed=body.observations.risks() if body.observations else 0,
        notes_sealed=await seal(body.notes),
        next_follow_up_on=body.next_follow_up_on,
        needs=tuple(needs),
    )


@router.post(
    "/households/{household_id}/visits",
    status_code=201,
    operation_id="record_visit",
    responses=changed(201),
)
async def record(body: bodies.RecordVisit, household: OnHousehold):
    """Record a visit, scheduled (give its visit_id) or not; needs found are appended with it."""
    visit_id = body.visit_id or new_id("vs")
    need_ids = [n.need_id or f"{visit_id}-n{i + 1}" for i, n in enumerate(body.needs)]
    return await household.sealed(
        lambda seal: _visit(household, body, visit_id, need_ids, seal),
        status=201,
        occurred_at=calendar.as_aware(body.visited_at),
        visit_id=visit_id,
        need_ids=need_ids,
    )


@router.post(
    "/households/{household_id}/follow-ups",
    status_code=201,
    operation_id="schedule_follow_up",
    responses=changed(201),
)
async def follow_up(body: bodies.ScheduleFollowUp, household: OnHousehold):
    command = commands.ScheduleFollowUp(body.follow_up_on, body.social_worker_id, body.need_id)
    return await household.handle(command, status=201)


@router.get(
    "/visits/overdue",
    operation_id="overdue_visits",
    responses={200: {"model": Page[answers.OverdueHousehold]}},
)
async def overdue(
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

"""Visits: schedule, record (with the needs found), follow-ups, and the overdue list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_events import calendar
from shegong_runtime.http import respond
from shegong_runtime.inputs import Identifier, When
from shegong_runtime.service import runtime

from shegong_visits import personal, views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies
from shegong_visits.entrypoints.http.common import (
    HouseholdCommands,
    OnHousehold,
    Reader,
    new_id,
    visible,
)
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["visits"])


@router.post(
    "/households/{household_id}/visits/scheduled",
    status_code=201,
    operation_id="schedule_visit",
    responses=changed(201),
)
async def schedule(
    body: bodies.ScheduleVisit, household: OnHousehold
):
    visit_id = body.visit_id or new_id("vs")
    command = commands.ScheduleVisit(
        visit_id, body.scheduled_for, body.social_worker_id, tuple(body.purposes)
    )
    return await household.handle(command, status=201, visit_id=visit_id)


async def _found(
    household: HouseholdCommands, visit_id: str, body: bodies.RecordVisit
) -> tuple[commands.FoundNeed, ...]:
    return tuple(
        [
            commands.FoundNeed(
                need_id=n.need_id or f"{visit_id}-n{i + 1}",
                category=n.category,
                severity=n.severity,
                member_id=n.member_id,
                notes_sealed=await household.seal(n.notes),
            )
            for i, n in enumerate(body.needs)
        ]
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
    visited_at = calendar.as_aware(body.visited_at)
    if (prior := await household.replay()) is not None:
        return respond(prior)
    observations = body.observations.model_dump(exclude_none=True) if body.observations else None
    needs = await _found(household, visit_id, body)
    command = commands.RecordVisit(
        visit_id=visit_id,
        visited_at=visited_at,
        mode=body.mode,
        social_worker_ids=tuple(body.social_worker_ids),
        volunteer_ids=tuple(body.volunteer_ids),
        services=tuple(body.services),
        observations_sealed=await personal.seal_json(household.rt, household.household_id, observations),
        risks_observed=body.observations.risks() if body.observations else 0,
        notes_sealed=await household.seal(body.notes),
        next_follow_up_on=body.next_follow_up_on,
        needs=needs,
    )
    need_ids = [n.need_id for n in needs]
    return await household.handle(
        command, status=201, occurred_at=visited_at, visit_id=visit_id, need_ids=need_ids
    )


@router.post(
    "/households/{household_id}/follow-ups",
    status_code=201,
    operation_id="schedule_follow_up",
    responses=changed(201),
)
async def follow_up(
    body: bodies.ScheduleFollowUp, household: OnHousehold
):
    command = commands.ScheduleFollowUp(body.follow_up_on, body.social_worker_id, body.need_id)
    return await household.handle(command, status=201)


@router.get(
    "/visits/overdue",
    operation_id="overdue_visits",
    responses={200: {"model": list[answers.OverdueHousehold]}},
)
async def overdue(
    request: Request,
    who: Reader,
    station_id: Identifier | None = None,
    as_of: When | None = None,
):
    """Households whose next visit is overdue (as of now, or `as_of`), the longest overdue first."""
    rt = runtime(request)
    moment = calendar.as_aware(as_of) if as_of else calendar.now()
    return await visible(rt, who, station_id, lambda: views.overdue(rt, station_id, moment))

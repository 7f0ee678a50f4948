"""Visits: schedule, record (with the needs found), follow-ups, and the overdue list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events import new_event_id
from shegong_events.visits import NeedIdentified, VisitScheduled
from shegong_runtime.auth import READERS, WRITERS, Principal, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Identifier, When
from shegong_runtime.service import Runtime, runtime

from shegong_visits import personal, views
from shegong_visits.domain import visit as rules
from shegong_visits.domain.household import Household
from shegong_visits.domain.policy import as_aware, utcnow
from shegong_visits.entrypoints import bodies
from shegong_visits.entrypoints.common import HouseholdId, policy, run, visible

router = APIRouter(tags=["visits"])


def new_id(prefix: str) -> str:
    return f"{prefix}-{new_event_id().hex}"


@router.post("/households/{household_id}/visits/scheduled", status_code=201)
async def schedule(
    body: bodies.ScheduleVisit,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    visit_id = body.visit_id or new_id("vs")
    event = VisitScheduled(
        visit_id=visit_id,
        scheduled_for=body.scheduled_for,
        social_worker_id=body.social_worker_id,
        purposes=body.purposes,
    )

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.schedule(s, household_id, event)

    return await run(request, who, ctx, household_id, build, status=201, visit_id=visit_id)


@router.post("/households/{household_id}/visits", status_code=201)
async def record(
    body: bodies.RecordVisit,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    """Record a visit, scheduled (give its visit_id) or not; needs found are appended with it."""
    visit_id = body.visit_id or new_id("vs")
    need_ids = [n.need_id or f"{visit_id}-n{i + 1}" for i, n in enumerate(body.needs)]
    visited_at = as_aware(body.visited_at)

    async def build(rt: Runtime, state: Household):
        needs = tuple(
            [
                NeedIdentified(
                    need_id=need_id,
                    category=n.category,
                    severity=n.severity,
                    member_id=n.member_id,
                    visit_id=visit_id,
                    identified_on=visited_at.date(),  # the domain sets the station's day
                    notes_sealed=await personal.seal(rt, household_id, n.notes),
                )
                for need_id, n in zip(need_ids, body.needs, strict=True)
            ]
        )
        observations = (
            body.observations.model_dump(exclude_none=True) if body.observations else None
        )
        cmd = rules.RecordVisit(
            visit_id=visit_id,
            visited_at=visited_at,
            mode=body.mode,
            social_worker_ids=tuple(body.social_worker_ids),
            volunteer_ids=tuple(body.volunteer_ids),
            services=tuple(body.services),
            observations_sealed=await personal.seal_json(rt, household_id, observations),
            risks_observed=body.observations.risks() if body.observations else 0,
            notes_sealed=await personal.seal(rt, household_id, body.notes),
            next_follow_up_on=body.next_follow_up_on,
            needs=needs,
        )
        return lambda s: rules.record(s, household_id, cmd, policy(rt), utcnow())

    return await run(
        request,
        who,
        ctx,
        household_id,
        build,
        status=201,
        occurred_at=visited_at,
        visit_id=visit_id,
        need_ids=need_ids,
    )


@router.post("/households/{household_id}/follow-ups", status_code=201)
async def follow_up(
    body: bodies.ScheduleFollowUp,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    cmd = rules.ScheduleFollowUp(body.follow_up_on, body.social_worker_id, body.need_id)

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.follow_up(s, household_id, cmd, policy(rt))

    return await run(request, who, ctx, household_id, build, status=201)


@router.get("/visits/overdue")
async def overdue(
    request: Request,
    station_id: Identifier | None = None,
    as_of: When | None = None,
    who: Principal = Depends(requires(*READERS)),
):
    """Households whose next visit is overdue (as of now, or `as_of`), the longest overdue first."""
    rt = runtime(request)
    return await visible(
        rt,
        who,
        station_id,
        lambda: views.overdue(rt, station_id, as_aware(as_of) if as_of else utcnow()),
    )

"""Needs: identify, refer, resolve, close; open needs by severity."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events import new_event_id
from shegong_events.visits import NeedIdentified, Severity
from shegong_runtime.auth import READERS, WRITERS, Principal, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime, runtime

from shegong_visits import labels, personal, views
from shegong_visits.domain import need as rules
from shegong_visits.domain.household import Household
from shegong_visits.domain.policy import utcnow
from shegong_visits.entrypoints import bodies
from shegong_visits.entrypoints.common import HouseholdId, NeedId, on_day, run, today, visible

router = APIRouter(tags=["needs"])


@router.post("/households/{household_id}/needs", status_code=201)
async def identify(
    body: bodies.IdentifyNeed,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    need_id = body.need_id or f"nd-{new_event_id().hex}"
    identified_on = body.identified_on or today()

    async def build(rt: Runtime, state: Household):
        event = NeedIdentified(
            need_id=need_id,
            category=body.category,
            severity=body.severity,
            member_id=body.member_id,
            visit_id=body.visit_id,
            identified_on=identified_on,
            notes_sealed=await personal.seal(rt, household_id, body.notes),
        )
        return lambda s: rules.identify(s, household_id, event, utcnow())

    return await run(
        request,
        who,
        ctx,
        household_id,
        build,
        status=201,
        occurred_at=on_day(identified_on),
        need_id=need_id,
    )


@router.post("/households/{household_id}/needs/{need_id}/referrals", status_code=201)
async def refer(
    body: bodies.ReferNeed,
    request: Request,
    household_id: HouseholdId,
    need_id: NeedId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    """Refer to an agency: refused (409) without consent or a recorded legal basis."""
    on = body.referred_on or today()
    cmd = rules.ReferNeed(body.agency, body.agency_kind, on, body.shares_personal_data)

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.refer(s, household_id, need_id, cmd, utcnow())

    return await run(
        request, who, ctx, household_id, build, status=201, occurred_at=on_day(on), need_id=need_id
    )


@router.post("/households/{household_id}/needs/{need_id}/resolution")
async def resolve(
    body: bodies.ResolveNeed,
    request: Request,
    household_id: HouseholdId,
    need_id: NeedId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    on = body.resolved_on or today()

    async def build(rt: Runtime, state: Household):
        notes = await personal.seal(rt, household_id, body.notes)
        return lambda s: rules.resolve(s, household_id, need_id, body.outcome, on, notes, utcnow())

    return await run(
        request, who, ctx, household_id, build, occurred_at=on_day(on), need_id=need_id
    )


@router.post("/households/{household_id}/needs/{need_id}/closure")
async def close(
    body: bodies.CloseNeed,
    request: Request,
    household_id: HouseholdId,
    need_id: NeedId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    on = body.closed_on or today()

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.close(s, household_id, need_id, body.reason, on, utcnow())

    return await run(
        request, who, ctx, household_id, build, occurred_at=on_day(on), need_id=need_id
    )


@router.get("/needs/open")
async def open_needs(
    request: Request,
    station_id: Identifier | None = None,
    severity: Severity | None = None,
    who: Principal = Depends(requires(*READERS)),
):
    """Open and referred needs, urgent first, with their count per severity."""
    rt = runtime(request)
    rows = await visible(rt, who, station_id, lambda: views.open_needs(rt, station_id, severity))
    counts = {s: sum(1 for r in rows if r["severity"] == s) for s in labels.SEVERITY_ORDER}
    return {"by_severity": counts, "needs": rows}

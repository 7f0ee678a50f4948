"""Consent per purpose and person, its withdrawal, and a legal basis recorded instead."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events.visits import ConsentGranted, ConsentWithdrawn, LegalBasisRecorded
from shegong_runtime.auth import WRITERS, Principal, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.service import Runtime

from shegong_visits.domain import consent as rules
from shegong_visits.domain.household import Household
from shegong_visits.domain.policy import utcnow
from shegong_visits.entrypoints import bodies
from shegong_visits.entrypoints.common import HouseholdId, on_day, run, today

router = APIRouter(tags=["consent"])


@router.post("/households/{household_id}/consents", status_code=201)
async def grant(
    body: bodies.GrantConsent,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    on = body.granted_on or today()
    event = ConsentGranted(
        purpose=body.purpose,
        member_id=body.member_id,
        given_by=body.given_by,
        guardian_relation=body.guardian_relation,
        granted_on=on,
    )

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.grant(s, household_id, event, utcnow())

    return await run(request, who, ctx, household_id, build, status=201, occurred_at=on_day(on))


@router.post("/households/{household_id}/consents/withdrawal")
async def withdraw(
    body: bodies.WithdrawConsent,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    on = body.withdrawn_on or today()
    event = ConsentWithdrawn(purpose=body.purpose, member_id=body.member_id, withdrawn_on=on)

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.withdraw(s, household_id, event, utcnow())

    return await run(request, who, ctx, household_id, build, occurred_at=on_day(on))


@router.post("/households/{household_id}/legal-bases", status_code=201)
async def record_legal_basis(
    body: bodies.RecordLegalBasis,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    """A statutory duty as the lawful basis for a purpose, where consent is not the ground."""
    on = body.recorded_on or today()
    event = LegalBasisRecorded(purpose=body.purpose, basis=body.basis, recorded_on=on)

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.record_legal_basis(s, household_id, event, utcnow())

    return await run(request, who, ctx, household_id, build, status=201, occurred_at=on_day(on))

"""Consent per purpose and person, its withdrawal, and a legal basis recorded instead."""

from __future__ import annotations

from fastapi import APIRouter
from shegong_events import calendar
from shegong_events.calendar import at_noon
from shegong_runtime.inputs import Identifier
from shegong_runtime.routes import Writing

from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import bodies
from shegong_visits.entrypoints.http.common import household
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["consent"])


@router.post(
    "/households/{household_id}/consents",
    status_code=201,
    responses=changed(201),
)
async def grant_consent(household_id: Identifier, body: bodies.GrantConsent, call: Writing):
    on = body.granted_on or calendar.today()
    command = commands.GrantConsent(
        body.purpose, body.given_by, on, body.member_id, body.guardian_relation
    )
    return await call.send(household(household_id, command, status=201, occurred_at=at_noon(on)))


@router.post(
    "/households/{household_id}/consents/withdrawal",
    responses=changed(),
)
async def withdraw_consent(household_id: Identifier, body: bodies.WithdrawConsent, call: Writing):
    on = body.withdrawn_on or calendar.today()
    command = commands.WithdrawConsent(body.purpose, on, body.member_id)
    return await call.send(household(household_id, command, occurred_at=at_noon(on)))


@router.post(
    "/households/{household_id}/legal-bases",
    status_code=201,
    responses=changed(201),
)
async def record_legal_basis(
    household_id: Identifier, body: bodies.RecordLegalBasis, call: Writing
):
    """A statutory duty as the lawful basis for a purpose, where consent is not the ground."""
    on = body.recorded_on or calendar.today()
    command = commands.RecordLegalBasis(body.purpose, body.basis, on)
    return await call.send(household(household_id, command, status=201, occurred_at=at_noon(on)))

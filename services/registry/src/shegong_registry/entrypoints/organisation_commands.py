"""Organisation filing (备案) commands: file, return, resubmit, approve, change, convert, deregister."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from shegong_events import DomainEvent
from shegong_events.envelope import new_event_id
from shegong_events.registry import (
    OrgChanged,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_runtime.auth import Principal, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime, runtime

from shegong_registry import handlers
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import Organisation
from shegong_registry.entrypoints.bodies import (
    Convert,
    Corrections,
    Deregister,
    FileOrganisation,
    Resubmit,
    ReturnFiling,
)
from shegong_registry.entrypoints.common import (
    ID,
    REVIEWERS,
    STATION_WRITERS,
    Body,
    Step,
    when,
    writable,
)

router = APIRouter(tags=["organisations"])
BASE = "/stations/{station_id}/organisations/{organisation_id}"
StationId = Annotated[str, Path(pattern=ID)]
OrganisationId = Annotated[str, Path(pattern=ID)]
Staff = Annotated[Principal, Depends(requires(*STATION_WRITERS))]
Reviewer = Annotated[Principal, Depends(requires(*REVIEWERS))]
Context = Annotated[CommandContext, Depends(command_context)]
Rule = Callable[[Organisation, str, str, DomainEvent], Sequence[DomainEvent]]
PERSONAL = {"responsible_person", "responsible_phone"}


async def event_from(
    rt: Runtime, model: type[DomainEvent], organisation_id: str, body: Body
) -> DomainEvent:
    """The event with the body's facts; the responsible person's name and phone sealed."""
    assert rt.keys is not None
    fields = body.model_dump(
        exclude=PERSONAL | {"organisation_id", "occurred_at", "expected_version"}
    )
    if "responsible_person_sealed" in model.model_fields:
        subject = f"org-contact:{organisation_id}"
        for name in PERSONAL:
            fields[f"{name}_sealed"] = await rt.keys.seal(subject, getattr(body, name))
    return model(**fields)


async def step(
    request: Request,
    who: Principal,
    ctx: CommandContext,
    station_id: Identifier,
    organisation_id: str,
    body: Step,
    rule: Rule,
    model: type[DomainEvent],
) -> JSONResponse:
    """One step on an existing organisation: scope, event, decide by `rule`, append."""
    rt = runtime(request)
    await writable(rt, who, station_id)
    event = await event_from(rt, model, organisation_id, body)
    answer = await handlers.run(
        rt,
        station_id,
        organisation_id,
        ctx,
        decide=lambda state, _v: rule(state, station_id, organisation_id, event),
        occurred_at=when(body.occurred_at),
        expected_version=body.expected_version,
    )
    return respond(answer)


@router.post("/stations/{station_id}/organisations", status_code=201)
async def file(
    station_id: StationId, body: FileOrganisation, request: Request, who: Staff, ctx: Context
):
    rt = runtime(request)
    await writable(rt, who, station_id)
    organisation_id = body.organisation_id or f"org-{new_event_id().hex}"
    event = await event_from(rt, OrgFiled, organisation_id, body)
    answer = await handlers.run(
        rt,
        station_id,
        organisation_id,
        ctx,
        decide=lambda state, _v: org.file(state, organisation_id, event),
        occurred_at=when(body.occurred_at),
        status=201,
    )
    return respond(answer)


@router.post(f"{BASE}/returns")
async def return_filing(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: ReturnFiling,
    request: Request,
    who: Reviewer,
    ctx: Context,
):
    return await step(
        request, who, ctx, station_id, organisation_id, body, org.return_filing, OrgFilingReturned
    )


@router.post(f"{BASE}/resubmissions")
async def resubmit(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: Resubmit,
    request: Request,
    who: Staff,
    ctx: Context,
):
    return await step(
        request, who, ctx, station_id, organisation_id, body, org.resubmit, OrgFilingResubmitted
    )


@router.post(f"{BASE}/approvals")
async def approve(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    who: Reviewer,
    ctx: Context,
    body: Step | None = None,
):
    """Approval numbers the filing; the body (time, expected version) may be left out."""
    rt = runtime(request)
    await writable(rt, who, station_id)
    body = body or Step()
    answer = await handlers.approve(
        rt, station_id, organisation_id, ctx, when(body.occurred_at), body.expected_version
    )
    return respond(answer)


@router.post(f"{BASE}/changes")
async def change(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: Corrections,
    request: Request,
    who: Staff,
    ctx: Context,
):
    return await step(request, who, ctx, station_id, organisation_id, body, org.change, OrgChanged)


@router.post(f"{BASE}/conversions")
async def convert(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: Convert,
    request: Request,
    who: Staff,
    ctx: Context,
):
    return await step(
        request,
        who,
        ctx,
        station_id,
        organisation_id,
        body,
        org.convert,
        OrgConvertedToVolunteerTeam,
    )


@router.post(f"{BASE}/deregistrations")
async def deregister(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: Deregister,
    request: Request,
    who: Reviewer,
    ctx: Context,
):
    return await step(
        request, who, ctx, station_id, organisation_id, body, org.deregister, OrgDeregistered
    )

"""Community social organisations (社区社会组织) over HTTP: filing (备案) and its steps — return,
resubmit, approve, change, convert, deregister (their readings: `organisation_reads`).

Routes seal the responsible person's name and phone (the key store is async) and hand the
decider a command; names and filing numbers are claimed in the append transaction
(`registers`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from shegong_events.calendar import local_date, now
from shegong_events.envelope import new_event_id
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Answer, CommandContext, handle, remembered
from shegong_runtime.http import respond
from shegong_runtime.service import Runtime, runtime

from shegong_registry import registers
from shegong_registry.config import settings
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import ORGANISATION, OrgNameTaken
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import OrganisationAnswer
from shegong_registry.entrypoints.http.common import (
    Body,
    Context,
    Dated,
    OrganisationId,
    Reviewer,
    Staff,
    StationId,
    Step,
    answer,
    link,
    when,
)

router = APIRouter(tags=["organisations"])
STATION = "/stations/{station_id}/organisations"
BASE = STATION + "/{organisation_id}"
PERSONAL = ("responsible_person", "responsible_phone")
THIS_ONE = {"station_id": "$request.path.station_id", "organisation_id": "$request.path.organisation_id"}
STEPPED = answer(
    200,
    "the organisation after the step",
    OrganisationAnswer,
    organisation=link("organisation", **THIS_ONE),
    timeline=link("organisation_timeline", **THIS_ONE),
)


def subject(organisation_id: str) -> str:
    """The data subject of an organisation's responsible person."""
    return f"org-contact:{organisation_id}"


async def facts(rt: Runtime, organisation_id: str, body: Body) -> dict[str, Any]:
    """The body's facts for its command, the responsible person's name and phone sealed."""
    out = body.model_dump(exclude={*PERSONAL, "organisation_id", "occurred_at", "expected_version"})
    for name in PERSONAL:
        if name in type(body).model_fields:
            out[f"{name}_sealed"] = await rt.keys.seal(subject(organisation_id), getattr(body, name))
    return out


def _answer(status: int):  # type: ignore[no-untyped-def]
    def answered(envelopes: list, state: org.Organisation) -> Answer:
        last = envelopes[-1]
        return Answer(
            status,
            {
                "organisation_id": last.aggregate_id,
                "station_id": last.station_id,
                "version": last.aggregate_version,
                "status": str(state.status),
                "name": state.name,
                "filing_number": state.filing_number,
            },
        )

    return answered


async def run(
    rt: Runtime,
    ctx: CommandContext,
    command: org.OrganisationCommand,
    body: Dated,
    status: int = 200,
    numbered: tuple[int, int] | None = None,
) -> JSONResponse:
    """One organisation command; a name clash rolls back its events with it (409 OrgNameTaken)."""
    try:
        done = await handle(
            rt.store,
            ORGANISATION,
            command.organisation_id,
            command,
            station_id=command.station_id,
            ctx=ctx,
            respond=_answer(status),
            occurred_at=when(body.occurred_at),
            expected_version=getattr(body, "expected_version", None),
            after_append=registers.keeper(numbered),
        )
    except OrgNameTaken:
        # a concurrent retry under the same Idempotency-Key may hold the name: answer as it did
        if not ctx.idempotency_key or (done := await remembered(rt.store, ctx)) is None:
            raise
    return respond(done)


async def step(
    request: Request,
    who: Principal,
    ctx: CommandContext,
    station_id: str,
    organisation_id: str,
    body: Step,
    command: type[org.OrganisationCommand],
) -> JSONResponse:
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    address = {"station_id": station_id, "organisation_id": organisation_id}
    return await run(rt, ctx, command(**address, **await facts(rt, organisation_id, body)), body)


@router.post(
    STATION,
    status_code=201,
    responses=answer(
        201,
        "the filing, pending review",
        OrganisationAnswer,
        organisation=link(
            "organisation",
            station_id="$request.path.station_id",
            organisation_id="$response.body#/organisation_id",
        ),
    ),
)
async def file(
    station_id: StationId, body: bodies.FileOrganisation, request: Request, who: Staff, ctx: Context
):
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    organisation_id = body.organisation_id or f"org-{new_event_id().hex}"
    command = org.FileOrganisation(
        station_id=station_id,
        organisation_id=organisation_id,
        **await facts(rt, organisation_id, body),
    )
    return await run(rt, ctx, command, body, status=201)


@router.post(f"{BASE}/returns", responses=STEPPED)
async def return_filing(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.ReturnFiling,
    request: Request,
    who: Reviewer,
    ctx: Context,
):
    return await step(request, who, ctx, station_id, organisation_id, body, org.ReturnFiling)


@router.post(f"{BASE}/resubmissions", responses=STEPPED)
async def resubmit(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.Resubmit,
    request: Request,
    who: Staff,
    ctx: Context,
):
    return await step(request, who, ctx, station_id, organisation_id, body, org.Resubmit)


@router.post(f"{BASE}/approvals", responses=STEPPED)
async def approve(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    who: Reviewer,
    ctx: Context,
    body: Step | None = None,
):
    """Approval numbers the filing with the station's next number of the year (station time);
    a number raced away is retried. The body (time, expected version) may be left out."""
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    body = body or Step()
    year = local_date(when(body.occurred_at) or now()).year
    for _ in range(settings().numbering_attempts):
        sequence = await registers.next_filing_sequence(rt.pool, station_id, year)
        number = org.filing_number(station_id, year, sequence)
        command = org.Approve(
            station_id=station_id, organisation_id=organisation_id, filing_number=number
        )
        try:
            return await run(rt, ctx, command, body, numbered=(year, sequence))
        except registers.FilingNumberRaced:
            continue
    raise registers.FilingNumbersBusy(
        f"could not number the filing of {organisation_id}: too many concurrent approvals"
    )


@router.post(f"{BASE}/changes", responses=STEPPED)
async def change(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.Corrections,
    request: Request,
    who: Staff,
    ctx: Context,
):
    return await step(request, who, ctx, station_id, organisation_id, body, org.Change)


@router.post(f"{BASE}/conversions", responses=STEPPED)
async def convert(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.Convert,
    request: Request,
    who: Staff,
    ctx: Context,
):
    command = org.ConvertToVolunteerTeam
    return await step(request, who, ctx, station_id, organisation_id, body, command)


@router.post(f"{BASE}/deregistrations", responses=STEPPED)
async def deregister(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.Deregister,
    request: Request,
    who: Reviewer,
    ctx: Context,
):
    return await step(request, who, ctx, station_id, organisation_id, body, org.Deregister)

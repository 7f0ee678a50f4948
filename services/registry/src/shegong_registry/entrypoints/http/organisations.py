"""Community social organisations (社区社会组织) over HTTP: filing (备案) and its steps — return,
resubmit, approve, change, convert, deregister (their readings: `organisation_reads`).

Each route parses its body, states the command as an `Order` and sends it: the kit loads the
organisation, checks the caller writes at the station, answers a retry, follows If-Match (or
the body's deprecated `expected_version`), seals the responsible person's name and phone, and
appends. Names and filing numbers are claimed in the append transaction (`registers`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from shegong_events.calendar import local_date, now
from shegong_runtime import openapi
from shegong_runtime.command_request import CommandRequest
from shegong_runtime.commands import Order, Respond, Sealer, answer, id_of, version_of
from shegong_runtime.inputs import new_id
from shegong_runtime.routes import Managing, Writing

from shegong_registry import config, registers
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import ORGANISATION, Organisation, OrgNameTaken
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import OrganisationAnswer
from shegong_registry.entrypoints.http.bodies import Dated, Step
from shegong_registry.entrypoints.http.common import OrganisationId, StationId, when

router = APIRouter(tags=["organisations"])
STATION = "/stations/{station_id}/organisations"
BASE = STATION + "/{organisation_id}"
PERSONAL = ("responsible_person", "responsible_phone")
THIS_ONE = {
    "station_id": "$request.path.station_id",
    "organisation_id": "$request.path.organisation_id",
}
STEPPED = openapi.command(
    200,
    "the organisation after the step",
    OrganisationAnswer,
    organisation=openapi.link("get_organisation", **THIS_ONE),
    timeline=openapi.link("organisation_timeline", **THIS_ONE),
)
Build = Callable[[Organisation, Sealer], Awaitable[org.OrganisationCommand]]


def subject(organisation_id: str) -> str:
    """The data subject of an organisation's responsible person."""
    return f"org-contact:{organisation_id}"


def _answered(status: int) -> Respond:
    return answer(
        status,
        organisation_id=id_of,
        station_id=lambda envelopes, _: envelopes[-1].station_id,
        version=version_of,
        status=lambda _, state: str(state.status),
        name=lambda _, state: state.name,
        filing_number=lambda _, state: state.filing_number,
    )


def sealed(
    command: type[org.OrganisationCommand], address: dict[str, str], body: Dated, **more: Any
) -> Build:
    """The command of `body`, built once the caller's scope is settled: the responsible
    person's name and phone sealed under the organisation's subject."""

    async def build(_state: Organisation, seal: Sealer) -> org.OrganisationCommand:
        facts = body.model_dump(exclude={*PERSONAL, "organisation_id", "occurred_at"})
        facts.pop("expected_version", None)  # read by the command request, not a fact
        for name in PERSONAL:
            if name in type(body).model_fields:
                facts[f"{name}_sealed"] = await seal(getattr(body, name))
        return command(**address, **facts, **more)

    return build


def order(
    command: type[org.OrganisationCommand],
    station_id: str,
    organisation_id: str,
    body: Dated,
    status: int = 200,
    numbered: tuple[int, int] | None = None,
    **more: Any,
) -> Order[Any, Any]:
    """One organisation command; a name clash rolls back its events with it (409 OrgNameTaken),
    unless a retry under the same Idempotency-Key took the name: then its answer."""
    address = {"station_id": station_id, "organisation_id": organisation_id}
    return Order(
        ORGANISATION,
        organisation_id,
        sealed(command, address, body, **more),
        _answered(status),
        station_id=station_id,
        subject=subject(organisation_id),
        occurred_at=when(body.occurred_at),
        after_append=registers.keeper(numbered),
        raced_by=(OrgNameTaken,),
    )


@router.post(
    STATION,
    status_code=201,
    responses=openapi.command(
        201,
        "the filing, pending review",
        OrganisationAnswer,
        organisation=openapi.link(
            "get_organisation",
            station_id="$request.path.station_id",
            organisation_id="$response.body#/organisation_id",
        ),
    ),
)
async def file_organisation(station_id: StationId, body: bodies.FileOrganisation, call: Writing):
    organisation_id = body.organisation_id or new_id("org")
    return await call.send(order(org.FileOrganisation, station_id, organisation_id, body, 201))


@router.post(f"{BASE}/returns", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def return_filing(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: bodies.ReturnFiling,
    call: Managing,
):
    return await call.send(order(org.ReturnFiling, station_id, organisation_id, body))


@router.post(f"{BASE}/resubmissions", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def resubmit_filing(
    station_id: StationId, organisation_id: OrganisationId, body: bodies.Resubmit, call: Writing
):
    return await call.send(order(org.Resubmit, station_id, organisation_id, body))


@router.post(f"{BASE}/approvals", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def approve_filing(
    station_id: StationId,
    organisation_id: OrganisationId,
    call: Managing,
    body: Step | None = None,
):
    """Approval numbers the filing with the station's next number of the year (station time);
    a number raced away is tried again with the next. The body may be left out."""
    year = local_date(when((body or Step()).occurred_at) or now()).year
    approval = partial(_numbered, call, station_id, organisation_id, body or Step(), year)
    tries = config.settings().numbering_attempts
    return await registers.numbering(
        call.rt.pool, station_id, organisation_id, year, tries, approval
    )


async def _numbered(
    call: CommandRequest, station_id: str, organisation_id: str, body: Step, year: int, seq: int
) -> JSONResponse:
    """The approval under the filing number of `seq`, the year's next in the station."""
    number = org.filing_number(station_id, year, seq)
    approval = order(
        org.Approve, station_id, organisation_id, body, numbered=(year, seq), filing_number=number
    )
    return await call.send(approval)


@router.post(f"{BASE}/changes", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def change_organisation(
    station_id: StationId, organisation_id: OrganisationId, body: bodies.Corrections, call: Writing
):
    return await call.send(order(org.Change, station_id, organisation_id, body))


@router.post(f"{BASE}/conversions", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def convert_organisation(
    station_id: StationId, organisation_id: OrganisationId, body: bodies.Convert, call: Writing
):
    return await call.send(order(org.ConvertToVolunteerTeam, station_id, organisation_id, body))


@router.post(f"{BASE}/deregistrations", responses=STEPPED, openapi_extra=openapi.IF_MATCH)
async def deregister_organisation(
    station_id: StationId, organisation_id: OrganisationId, body: bodies.Deregister, call: Managing
):
    return await call.send(order(org.Deregister, station_id, organisation_id, body))

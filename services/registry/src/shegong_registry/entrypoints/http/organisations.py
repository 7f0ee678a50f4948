"""Community social organisations (社区社会组织) over HTTP: filing (备案) and its steps — return,
resubmit, approve, change, convert, deregister (their readings: `organisation_reads`).

Routes seal the responsible person's name and phone (the key store is async) and hand the
decider a command; names and filing numbers are claimed in the append transaction
(`registers`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from shegong_events.calendar import local_date, now
from shegong_runtime import openapi
from shegong_runtime.commands import Respond, answer, id_of, version_of
from shegong_runtime.http import CommandRequest, expected_version
from shegong_runtime.inputs import new_id
from shegong_runtime.routes import Managing, Writing
from shegong_runtime.service import Runtime

from shegong_registry import config, registers
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import ORGANISATION, OrgNameTaken
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import OrganisationAnswer
from shegong_registry.entrypoints.http.bodies import Body, Dated, Step
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


def subject(organisation_id: str) -> str:
    """The data subject of an organisation's responsible person."""
    return f"org-contact:{organisation_id}"


async def facts(rt: Runtime, organisation_id: str, body: Body) -> dict[str, Any]:
    """The body's facts for its command, the responsible person's name and phone sealed."""
    out = body.model_dump(exclude={*PERSONAL, "organisation_id", "occurred_at", "expected_version"})
    for name in PERSONAL:
        if name in type(body).model_fields:
            out[f"{name}_sealed"] = await rt.keys.seal(
                subject(organisation_id), getattr(body, name)
            )
    return out


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


async def run(
    call: CommandRequest,
    command: org.OrganisationCommand,
    body: Dated,
    status: int = 200,
    numbered: tuple[int, int] | None = None,
) -> JSONResponse:
    """One organisation command, its station's scope checked by the route (`call.at`); a name
    clash rolls back its events with it (409 OrgNameTaken), unless a retry under the same
    Idempotency-Key took the name: then its answer."""
    return await call.run(
        ORGANISATION,
        command.organisation_id,
        command,
        station_id=command.station_id,
        checked=True,
        respond=_answered(status),
        occurred_at=when(body.occurred_at),
        expected_version=expected_version(call.request, body),
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
    rt = await call.at(station_id)
    organisation_id = body.organisation_id or new_id("org")
    command = org.FileOrganisation(
        station_id=station_id,
        organisation_id=organisation_id,
        **await facts(rt, organisation_id, body),
    )
    return await run(call, command, body, status=201)


def _step(command: type[org.OrganisationCommand], model: type[Step], access: Any) -> Any:
    """The route of a step: the body's facts sealed, the decider's command run."""

    async def route(station_id: StationId, organisation_id: OrganisationId, body, call):
        rt = await call.at(station_id)
        address = {"station_id": station_id, "organisation_id": organisation_id}
        return await run(call, command(**address, **await facts(rt, organisation_id, body)), body)

    route.__annotations__.update(body=model, call=access)  # read by FastAPI: the body's model
    return route


def _steps(*steps: tuple[str, str, type[org.OrganisationCommand], type[Step], Any]) -> None:
    for path, name, command, body, access in steps:
        router.add_api_route(
            f"{BASE}/{path}",
            _step(command, body, access),
            methods=["POST"],
            name=name,
            responses=STEPPED,
            openapi_extra=openapi.IF_MATCH,
        )


_steps(
    ("returns", "return_filing", org.ReturnFiling, bodies.ReturnFiling, Managing),
    ("resubmissions", "resubmit_filing", org.Resubmit, bodies.Resubmit, Writing),
)


@router.post(f"{BASE}/approvals", openapi_extra=openapi.IF_MATCH, responses=STEPPED)
async def approve_filing(
    station_id: StationId,
    organisation_id: OrganisationId,
    call: Managing,
    body: Step | None = None,
):
    """Approval numbers the filing with the station's next number of the year (station time);
    a number raced away is retried. The body (time, expected version) may be left out."""
    await call.at(station_id)
    body = body or Step()
    year = local_date(when(body.occurred_at) or now()).year

    async def numbered(sequence: int) -> JSONResponse:
        number = org.filing_number(station_id, year, sequence)
        command = org.Approve(
            station_id=station_id, organisation_id=organisation_id, filing_number=number
        )
        return await run(call, command, body, numbered=(year, sequence))

    attempts = config.settings().numbering_attempts
    return await registers.numbering(
        call.rt.pool, station_id, organisation_id, year, attempts, numbered
    )


_steps(
    ("changes", "change_organisation", org.Change, bodies.Corrections, Writing),
    ("conversions", "convert_organisation", org.ConvertToVolunteerTeam, bodies.Convert, Writing),
    ("deregistrations", "deregister_organisation", org.Deregister, bodies.Deregister, Managing),
)

"""PIPL rights of the registry's data subjects: a station's lead and contact, an organisation's
responsible person. Each can be erased (key destroyed with the event) and take out a copy."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_runtime import openapi, pipl
from shegong_runtime import personal_data_routes as rights
from shegong_runtime.commands import Order, Respond, answer, id_of, version_of
from shegong_runtime.routes import Manager, Managing
from shegong_runtime.service import runtime

from shegong_registry.domain import organisation, station
from shegong_registry.domain.organisation import ORGANISATION, OrganisationNotFound
from shegong_registry.domain.station import STATION
from shegong_registry.entrypoints.http import organisations, stations
from shegong_registry.entrypoints.http.answers import Erased
from shegong_registry.entrypoints.http.common import OrganisationId, StationId

router = APIRouter(tags=["personal data"])
ORGANISATION_PATH = "/stations/{station_id}/organisations/{organisation_id}"


def erased(id_field: str) -> Respond:
    return answer(200, **{id_field: id_of, "version": version_of, "erased": True})


@router.post(
    "/stations/{station_id}/contact-erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the lead and contact erased; the station stays", Erased),
)
async def erase_station_contact(station_id: StationId, body: pipl.Erase, call: Managing):
    """Erase the station lead's name and the contact number (the station itself stays)."""
    command = station.EraseStationContact(
        station_id=station_id, reason=body.reason, erased_at=pipl.now()
    )
    subject = stations.subject(station_id)
    return await call.send(
        Order(
            STATION,
            station_id,
            command,
            erased("station_id"),
            station_id=station_id,
            subject=subject,
            erases=True,
        )
    )


@router.get(
    "/stations/{station_id}/contact-export",
    responses=rights.EXPORT_RESPONSES,
)
async def export_station_contact(station_id: StationId, request: Request, who: Manager):
    """A copy of the station lead's and contact's data (PIPL), opened."""
    subject = stations.subject(station_id)
    return await rights.export(
        runtime(request), who, station_id, subject, [f"station-{station_id}"]
    )


@router.post(
    f"{ORGANISATION_PATH}/contact-erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(
        200,
        "the responsible person erased; the filing stays",
        Erased,
        organisation=openapi.link(
            "get_organisation",
            station_id="$request.path.station_id",
            organisation_id="$request.path.organisation_id",
        ),
    ),
)
async def erase_org_contact(
    station_id: StationId,
    organisation_id: OrganisationId,
    body: pipl.Erase,
    call: Managing,
):
    """Erase the responsible person's name and phone (the organisation's filing stays)."""
    command = organisation.EraseContact(
        station_id=station_id,
        organisation_id=organisation_id,
        reason=body.reason,
        erased_at=pipl.now(),
    )
    subject = organisations.subject(organisation_id)
    return await call.send(
        Order(
            ORGANISATION,
            organisation_id,
            command,
            erased("organisation_id"),
            station_id=station_id,
            subject=subject,
            erases=True,
        )
    )


@router.get(
    f"{ORGANISATION_PATH}/contact-export",
    responses=rights.EXPORT_RESPONSES,
)
async def export_org_contact(
    station_id: StationId, organisation_id: OrganisationId, request: Request, who: Manager
):
    rt = runtime(request)
    stream = f"organisation-{organisation_id}"

    async def found() -> None:
        if not await rt.events.load(stream):
            raise OrganisationNotFound(f"社工站 {station_id} 没有组织 {organisation_id}")

    subject = organisations.subject(organisation_id)
    return await rights.export(rt, who, station_id, subject, [stream], found)

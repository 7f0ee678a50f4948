"""PIPL rights of the registry's data subjects: a station's lead and contact, an organisation's
responsible person. Each can be erased (key destroyed with the event) and take out a copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from shegong_events.registry import OrgContactErased, StationContactErased
from shegong_runtime import pipl
from shegong_runtime.auth import Principal, requires
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.http import command_context, respond
from shegong_runtime.service import Runtime, runtime

from shegong_registry.domain.organisation import Organisation, OrganisationNotFound, Status
from shegong_registry.domain.station import Station, StationNotOpened
from shegong_registry.entrypoints.common import ID, readable
from shegong_registry.entrypoints.stations import STATION
from shegong_registry.handlers import ORG

router = APIRouter(tags=["personal data"])
StationId = Annotated[str, Path(pattern=ID)]
Eraser = Annotated[Principal, Depends(requires(*pipl.ERASERS))]


def station_subject(station_id: str) -> str:
    return f"station:{station_id}"


def org_subject(organisation_id: str) -> str:
    return f"org-contact:{organisation_id}"


def _station_exists(state: Station, station_id: str) -> None:
    if not state.opened:
        raise StationNotOpened(f"station {station_id} has not been opened")


def _org_exists(state: Organisation, station_id: str, organisation_id: str) -> None:
    if state.status is Status.none or state.station_id != station_id:
        raise OrganisationNotFound(f"no organisation {organisation_id} at station {station_id}")


def _answer(id_field: str):  # type: ignore[no-untyped-def]
    return lambda events, _s: Answer(
        200,
        {
            id_field: events[-1].aggregate_id,
            "version": events[-1].aggregate_version,
            "erased": True,
        },
    )


async def _scoped(request: Request, who: Principal, station_id: str) -> Runtime:
    rt = runtime(request)
    await readable(rt, who, station_id)
    return rt


@router.post("/stations/{station_id}/contact-erasure")
async def erase_station_contact(
    station_id: StationId,
    body: pipl.Erase,
    request: Request,
    who: Eraser,
    ctx: CommandContext = Depends(command_context),
):
    """Erase the station lead's name and the contact number (the station itself stays)."""
    rt = await _scoped(request, who, station_id)
    subject = station_subject(station_id)
    await pipl.require_not_erased(rt.keys, subject)

    def decide(state: Station, _v: int):  # type: ignore[no-untyped-def]
        _station_exists(state, station_id)
        return [StationContactErased(reason=body.reason, erased_at=pipl.now())]

    answer = await execute(
        rt.store,
        STATION,
        station_id,
        station_id,
        ctx,
        decide,
        _answer("station_id"),
        after_append=pipl.destroy_key(rt.keys, subject),
    )
    return respond(answer)


@router.get("/stations/{station_id}/contact-export", responses={409: {"description": "the person's data was erased already"}})
async def export_station_contact(station_id: StationId, request: Request, who: Eraser):
    """A copy of the station lead's and contact's data (PIPL), opened."""
    rt = await _scoped(request, who, station_id)
    return await pipl.export(
        rt.store, rt.keys, station_subject(station_id), [f"station-{station_id}"]
    )


@router.post("/stations/{station_id}/organisations/{organisation_id}/contact-erasure")
async def erase_org_contact(
    station_id: StationId,
    organisation_id: StationId,
    body: pipl.Erase,
    request: Request,
    who: Eraser,
    ctx: CommandContext = Depends(command_context),
):
    """Erase the responsible person's name and phone (the organisation's filing stays)."""
    rt = await _scoped(request, who, station_id)
    subject = org_subject(organisation_id)
    await pipl.require_not_erased(rt.keys, subject)

    def decide(state: Organisation, _v: int):  # type: ignore[no-untyped-def]
        _org_exists(state, station_id, organisation_id)
        return [OrgContactErased(reason=body.reason, erased_at=pipl.now())]

    answer = await execute(
        rt.store,
        ORG,
        organisation_id,
        station_id,
        ctx,
        decide,
        _answer("organisation_id"),
        after_append=pipl.destroy_key(rt.keys, subject),
    )
    return respond(answer)


@router.get("/stations/{station_id}/organisations/{organisation_id}/contact-export", responses={409: {"description": "the person's data was erased already"}})
async def export_org_contact(
    station_id: StationId, organisation_id: StationId, request: Request, who: Eraser
):
    rt = await _scoped(request, who, station_id)
    stream = f"organisation-{organisation_id}"
    if not await rt.store.load(stream):
        raise OrganisationNotFound(f"no organisation {organisation_id} at station {station_id}")
    return await pipl.export(rt.store, rt.keys, org_subject(organisation_id), [stream])

"""Station routes: opened by the city bureau, updated within scope, listed for every caller."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_runtime import openapi
from shegong_runtime.commands import changed
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Administering, Caller, Managing
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain import station
from shegong_registry.domain.station import STATION
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import KnownStation, StationAnswer
from shegong_registry.entrypoints.http.common import StationId

router = APIRouter(tags=["stations"])


def subject(station_id: str) -> str:
    """The data subject of a station's lead and contact."""
    return f"station:{station_id}"


@router.post(
    "/stations",
    status_code=201,
    responses=openapi.command(
        201,
        "the station is open",
        StationAnswer,
        organisations=openapi.link(
            "station_organisations", station_id="$response.body#/station_id"
        ),
    ),
)
async def open_station(body: bodies.OpenStation, call: Administering):
    sealed = subject(body.station_id)
    command = station.OpenStation(
        **body.model_dump(exclude={"lead", "contact"}),
        lead_sealed=await call.rt.keys.seal(sealed, body.lead),
        contact_sealed=await call.rt.keys.seal(sealed, body.contact),
    )
    return await call.run(
        STATION,
        body.station_id,
        command,
        station_id=body.station_id,
        checked=True,
        respond=changed(201, "station_id", events=False),
    )


@router.post(
    "/stations/{station_id}/updates",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the station updated", StationAnswer),
)
async def update_station(station_id: StationId, body: bodies.UpdateStation, call: Managing):
    await call.rt.stations.refresh()  # an unknown station is the decider's 404, not a 422
    call.who.require_write(station_id, call.rt.stations.district_of)
    sealed = subject(station_id)
    command = station.UpdateStation(
        station_id=station_id,
        name=body.name,
        lead_sealed=await call.rt.keys.seal(sealed, body.lead),
        contact_sealed=await call.rt.keys.seal(sealed, body.contact),
    )
    return await call.run(
        STATION,
        station_id,
        command,
        station_id=station_id,
        checked=True,
        respond=changed(200, "station_id", events=False),
    )


@router.get(
    "/stations", responses=openapi.reading(Page[KnownStation], "the stations the caller sees")
)
async def list_stations(request: Request, who: Caller, page: Paging):
    """The stations the caller may see, by district (by the registry's own list: a station
    opened a moment ago counts)."""
    rt = runtime(request)
    return page.answer(*await views.stations(rt, page, await rt.stations.scope(who)))

"""Station routes: opened by the city bureau, updated within scope, listed for every caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from fastapi import APIRouter, Request
from shegong_runtime import openapi
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Order, Sealer, changed
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Administering, Caller, Managing
from shegong_runtime.service import Runtime, runtime

from shegong_registry import views
from shegong_registry.domain import station
from shegong_registry.domain.station import STATION, Station
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import KnownStation, StationAnswer
from shegong_registry.entrypoints.http.common import StationId

router = APIRouter(tags=["stations"])
Build = Callable[[Station, Sealer], Awaitable[station.Command]]


def subject(station_id: str) -> str:
    """The data subject of a station's lead and contact."""
    return f"station:{station_id}"


async def _anywhere(_who: Principal, _state: Station) -> None:
    """Opening: the city bureau (the route's role) opens a station the directory cannot know yet."""


async def _editable(rt: Runtime, station_id: str, who: Principal, _state: Station) -> None:
    """Updating: the caller writes at the station; an unknown one is the decider's 404."""
    await rt.stations.refresh()
    who.require_write(station_id, rt.stations.district_of)


def _opened(body: bodies.OpenStation) -> Build:
    async def build(_state: Station, seal: Sealer) -> station.OpenStation:
        lead, contact = await seal(body.lead), await seal(body.contact)
        facts = body.model_dump(exclude={"lead", "contact"})
        return station.OpenStation(**facts, lead_sealed=lead, contact_sealed=contact)

    return build


def _updated(station_id: str, body: bodies.UpdateStation) -> Build:
    async def build(_state: Station, seal: Sealer) -> station.UpdateStation:
        lead, contact = await seal(body.lead), await seal(body.contact)
        return station.UpdateStation(
            station_id=station_id, name=body.name, lead_sealed=lead, contact_sealed=contact
        )

    return build


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
    return await call.send(
        Order(
            STATION,
            body.station_id,
            _opened(body),
            changed(201, "station_id", events=False),
            station_id=body.station_id,
            subject=subject(body.station_id),
            scope=_anywhere,
        )
    )


@router.post(
    "/stations/{station_id}/updates",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the station updated", StationAnswer),
)
async def update_station(station_id: StationId, body: bodies.UpdateStation, call: Managing):
    return await call.send(
        Order(
            STATION,
            station_id,
            _updated(station_id, body),
            changed(200, "station_id", events=False),
            station_id=station_id,
            subject=subject(station_id),
            scope=partial(_editable, call.rt, station_id),
        )
    )


@router.get(
    "/stations", responses=openapi.reading(Page[KnownStation], "the stations the caller sees")
)
async def list_stations(request: Request, who: Caller, page: Paging):
    """The stations the caller may see, by district (by the registry's own list: a station
    opened a moment ago counts)."""
    rt = runtime(request)
    return page.answer(*await views.stations(rt, page, await rt.stations.scope(who)))

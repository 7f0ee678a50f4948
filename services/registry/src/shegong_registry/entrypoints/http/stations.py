"""Station routes: opened by the city bureau, updated within scope, listed for every caller."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from shegong_runtime.auth import Principal, Role, principal
from shegong_runtime.commands import changed
from shegong_runtime.http import CommandRequest, command_request
from shegong_runtime.inputs import RequestModel, Slug
from shegong_runtime.paging import Page, Paging
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain import station
from shegong_registry.domain.station import STATION
from shegong_registry.entrypoints.http.answers import KnownStation, StationAnswer
from shegong_registry.entrypoints.http.common import StationId, link
from shegong_registry.entrypoints.http.common import answer as answer_doc

router = APIRouter(tags=["stations"])
STATION_EDITORS = (Role.city_admin, Role.district_officer, Role.station_lead)
Opening = Annotated[CommandRequest, Depends(command_request(Role.city_admin))]
Editing = Annotated[CommandRequest, Depends(command_request(*STATION_EDITORS))]


class OpenStation(RequestModel):
    station_id: Slug
    name: str = Field(examples=["西固区福利路街道社工站"], min_length=1, max_length=100)
    city: str = Field(examples=["兰州市"], min_length=1, max_length=50)
    district_id: Slug
    district_name: str = Field(examples=["西固区"], min_length=1, max_length=50)
    street: str = Field(examples=["福利路街道"], min_length=1, max_length=50)
    kind: Literal["street", "township"]
    lead: str | None = Field(
        default=None, max_length=50, description="station lead's name (sealed)"
    )
    contact: str | None = Field(default=None, max_length=30, description="contact phone (sealed)")


class UpdateStation(RequestModel):
    name: str | None = Field(
        examples=["西固区福利路街道社工站"], default=None, min_length=1, max_length=100
    )
    lead: str | None = Field(default=None, max_length=50)
    contact: str | None = Field(default=None, max_length=30)


def subject(station_id: str) -> str:
    """The data subject of a station's lead and contact."""
    return f"station:{station_id}"


@router.post(
    "/stations",
    status_code=201,
    responses=answer_doc(
        201,
        "the station is open",
        StationAnswer,
        organisations=link("station_organisations", station_id="$response.body#/station_id"),
    ),
)
async def open_station(body: OpenStation, call: Opening):
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
    responses=answer_doc(200, "the station updated", StationAnswer),
)
async def update_station(station_id: StationId, body: UpdateStation, call: Editing):
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


@router.get("/stations", operation_id="stations", responses={200: {"model": Page[KnownStation]}})
async def list_stations(
    request: Request, who: Annotated[Principal, Depends(principal)], page: Paging
):
    """The stations the caller may see, by district (by the registry's own list: a station
    opened a moment ago counts)."""
    rt = runtime(request)
    return page.answer(*await views.stations(rt, page, await rt.stations.scope(who)))

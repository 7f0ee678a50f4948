"""Station routes: opened by the city bureau, updated within scope, listed for every caller."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from shegong_events.registry import StationOpened, StationUpdated
from shegong_runtime.auth import Principal, Role, principal, requires
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier, RequestModel
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain.station import StationAggregate, open_station, update_station

router = APIRouter(tags=["stations"])
STATION = StationAggregate()


class OpenStation(RequestModel):
    station_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    name: str = Field(examples=["西固区福利路街道社工站"], min_length=1, max_length=100)
    city: str = Field(examples=["兰州市"], min_length=1, max_length=50)
    district_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
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


def _answer(status: int):  # type: ignore[no-untyped-def]
    return lambda events, state: Answer(
        status,
        {
            "station_id": events[0].aggregate_id if events else None,
            "version": events[-1].aggregate_version if events else None,
        },
    )


@router.post("/stations", status_code=201)
async def open_(
    body: OpenStation,
    request: Request,
    who: Principal = Depends(requires(Role.city_admin)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    subject = f"station:{body.station_id}"
    event = StationOpened(
        **body.model_dump(exclude={"lead", "contact"}),
        lead_sealed=await rt.keys.seal(subject, body.lead),
        contact_sealed=await rt.keys.seal(subject, body.contact),
    )
    answer = await execute(
        rt.store,
        STATION,
        body.station_id,
        body.station_id,
        ctx,
        decide=lambda state, _v: open_station(state, event),
        respond=_answer(201),
    )
    return respond(answer)


@router.post("/stations/{station_id}/updates")
async def update(
    station_id: Identifier,
    body: UpdateStation,
    request: Request,
    who: Principal = Depends(requires(Role.city_admin, Role.district_officer, Role.station_lead)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    await rt.stations.refresh()
    who.require_station(station_id, rt.stations.district_of)
    subject = f"station:{station_id}"
    event = StationUpdated(
        name=body.name,
        lead_sealed=await rt.keys.seal(subject, body.lead),
        contact_sealed=await rt.keys.seal(subject, body.contact),
    )
    answer = await execute(
        rt.store,
        STATION,
        station_id,
        station_id,
        ctx,
        decide=lambda state, _v: update_station(state, station_id, event),
        respond=_answer(200),
    )
    return respond(answer)


@router.get("/stations")
async def list_stations(request: Request, who: Principal = Depends(principal)):
    rt = runtime(request)
    rows = await views.stations(rt)
    return [r for r in rows if who.can_see(r["station_id"], lambda s: rows_by_id(rows).get(s))]


def rows_by_id(rows: list[dict]) -> dict[str, str]:
    return {r["station_id"]: r["district_id"] for r in rows}

"""The audit and operations view: planned deliveries and reminders, and re-driving dead ones.

Operators see and re-drive deliveries but record nothing else, so these routes check the
caller's reach over the station (`Principal.require_station`), not a writer's.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from shegong_runtime.auth import Principal, Role, requires
from shegong_runtime.commands import answer
from shegong_runtime.errors import Forbidden
from shegong_runtime.http import CommandRequest, command_request
from shegong_runtime.inputs import Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.service import Runtime, runtime

from shegong_notifications import projections, views
from shegong_notifications.domain.notification import NOTIFICATION, NotificationNotFound, Redrive
from shegong_notifications.entrypoints.http import answers
from shegong_notifications.entrypoints.http.answers import (
    DeliveryView,
    RedriveAnswer,
    ReminderView,
    link,
)

router = APIRouter(tags=["deliveries"])
OVERSEERS = (Role.station_lead, Role.district_officer, Role.city_admin, Role.operator)
Overseeing = Annotated[CommandRequest, Depends(command_request(*OVERSEERS))]
Status = Literal["pending", "sent", "dead"]


async def _listing(rt: Runtime, who: Principal, station_id: str | None) -> None:
    """A listing of one station the caller sees; only the city's roles list every station."""
    if station_id is None and not who.citywide:
        raise Forbidden("name a station_id in your scope", field="station_id")
    if station_id:
        await rt.stations.refresh()
        who.require_station(station_id, rt.stations.district_of)


@router.get(
    "/deliveries",
    operation_id="listDeliveries",
    **answers.reading(Page[DeliveryView], "planned deliveries, newest first"),
)
async def list_deliveries(
    request: Request,
    page: Paging,
    station_id: Identifier | None = None,
    status: Status | None = None,
    rule_id: Identifier | None = None,
    who: Principal = Depends(requires(*OVERSEERS)),
):
    rt = runtime(request)
    await _listing(rt, who, station_id)
    return page.answer(*await views.deliveries(rt.pool, page, station_id, status, rule_id))


@router.get(
    "/deliveries/{delivery_id}",
    operation_id="getDelivery",
    **answers.reading(DeliveryView, "one delivery"),
)
async def get_delivery(
    delivery_id: uuid.UUID, request: Request, who: Principal = Depends(requires(*OVERSEERS))
):
    rt = runtime(request)
    await rt.stations.refresh()
    found = await views.delivery_view(rt.pool, delivery_id)
    if found is None:
        raise NotificationNotFound(f"no notification {delivery_id}")
    who.require_station(found["station_id"], rt.stations.district_of)
    return found


@router.get(
    "/reminders",
    operation_id="listReminders",
    **answers.reading(Page[ReminderView], "reminders, soonest first"),
)
async def list_reminders(
    request: Request,
    page: Paging,
    station_id: Identifier | None = None,
    status: Literal["pending", "fired", "cancelled", "superseded"] | None = None,
    who: Principal = Depends(requires(*OVERSEERS)),
):
    rt = runtime(request)
    await _listing(rt, who, station_id)
    return page.answer(*await views.reminders(rt.pool, page, station_id, status))


@router.post(
    "/deliveries/{delivery_id}/redrive",
    operation_id="redriveDelivery",
    **answers.command(
        200,
        RedriveAnswer,
        {"delivery": link("getDelivery", delivery_id="$request.path.delivery_id")},
    ),
)
async def redrive_delivery(delivery_id: uuid.UUID, call: Overseeing):
    """Send a dead notification again, from a fresh attempt count (409 unless it is dead)."""
    await call.rt.stations.refresh()
    row = await views.delivery(call.rt.pool, delivery_id)
    if row is None:
        raise NotificationNotFound(f"no notification {delivery_id}")
    call.who.require_station(row["station_id"], call.rt.stations.district_of)
    return await call.run(
        NOTIFICATION,
        str(delivery_id),
        Redrive(str(delivery_id)),
        station_id=row["station_id"],
        checked=True,
        respond=answer(200, delivery_id=str(delivery_id), status="pending"),
        after_append=projections.in_step,
    )

"""The audit and operations view: planned deliveries and reminders, and re-driving dead ones.

Operators see and re-drive deliveries but record nothing else, so these routes check the
caller's reach over the station (`Principal.require_station`), not a writer's.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from shegong_runtime import openapi
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Order, answer
from shegong_runtime.errors import Forbidden
from shegong_runtime.inputs import Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Overseeing, Overseer
from shegong_runtime.service import Runtime, runtime

from shegong_notifications import projections, views
from shegong_notifications.domain.notification import NOTIFICATION, NotificationNotFound, Redrive
from shegong_notifications.entrypoints.http.answers import DeliveryView, RedriveAnswer, ReminderView
from shegong_notifications.entrypoints.http.scope import reaches

router = APIRouter(tags=["deliveries"])
Status = Literal["pending", "sent", "dead"]


async def _listing(rt: Runtime, who: Principal, station_id: str | None) -> None:
    """A listing of one station the caller sees; only the city's roles list every station."""
    if station_id is None and not who.citywide:
        raise Forbidden("请指定您可查看的社工站（station_id）", field="station_id")
    if station_id:
        await rt.stations.refresh()
        who.require_station(station_id, rt.stations.district_of)


@router.get(
    "/deliveries",
    responses=openapi.reading(Page[DeliveryView], "planned deliveries, newest first"),
)
async def list_deliveries(
    request: Request,
    page: Paging,
    who: Overseer,
    station_id: Identifier | None = None,
    status: Status | None = None,
    rule_id: Identifier | None = None,
):
    rt = runtime(request)
    await _listing(rt, who, station_id)
    return page.answer(*await views.deliveries(rt.pool, page, station_id, status, rule_id))


@router.get(
    "/deliveries/{delivery_id}",
    responses=openapi.reading(DeliveryView, "one delivery"),
)
async def get_delivery(delivery_id: uuid.UUID, request: Request, who: Overseer):
    rt = runtime(request)
    await rt.stations.refresh()
    found = await views.delivery_view(rt.pool, delivery_id)
    if found is None:
        raise NotificationNotFound(f"没有通知 {delivery_id}")
    who.require_station(found["station_id"], rt.stations.district_of)
    return found


@router.get(
    "/reminders",
    responses=openapi.reading(Page[ReminderView], "reminders, soonest first"),
)
async def list_reminders(
    request: Request,
    page: Paging,
    who: Overseer,
    station_id: Identifier | None = None,
    status: Literal["pending", "fired", "cancelled", "superseded"] | None = None,
):
    rt = runtime(request)
    await _listing(rt, who, station_id)
    return page.answer(*await views.reminders(rt.pool, page, station_id, status))


@router.post(
    "/deliveries/{delivery_id}/redrive",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(
        200,
        "the notification, due again",
        RedriveAnswer,
        delivery=openapi.link("get_delivery", delivery_id="$request.path.delivery_id"),
    ),
)
async def redrive_delivery(delivery_id: uuid.UUID, call: Overseeing):
    """Send a dead notification again, from a fresh attempt count (409 unless it is dead)."""
    row = await _delivery(call.rt, delivery_id)
    redrive = Order(
        NOTIFICATION,
        str(delivery_id),
        Redrive(str(delivery_id)),
        answer(200, delivery_id=str(delivery_id), status="pending"),
        station_id=row["station_id"],
        scope=reaches(call.rt, row["station_id"]),
        after_append=projections.in_step,
    )
    return await call.send(redrive)


async def _delivery(rt: Runtime, delivery_id: uuid.UUID) -> Any:
    row = await views.delivery(rt.pool, delivery_id)
    if row is None:
        raise NotificationNotFound(f"没有通知 {delivery_id}")
    return row

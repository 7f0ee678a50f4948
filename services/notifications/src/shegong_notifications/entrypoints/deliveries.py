"""The audit and operations view: planned deliveries and reminders, and re-driving dead ones."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from shegong_runtime.auth import Principal, Role, requires
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.errors import Forbidden
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import runtime

from shegong_notifications import views
from shegong_notifications.domain.notification import (
    NotificationAggregate,
    NotificationNotFound,
    redrive,
)
from shegong_notifications.schema import S

router = APIRouter(tags=["deliveries"])
NOTIFICATION = NotificationAggregate()
OVERSEERS = (Role.station_lead, Role.district_officer, Role.city_admin, Role.operator)
Status = Literal["pending", "sent", "dead"]


def _scoped(who: Principal, station_id: str | None) -> None:
    if station_id is None and not who.citywide:
        raise Forbidden("name a station_id in your scope", field="station_id")


@router.get("/deliveries")
async def list_deliveries(
    request: Request,
    station_id: Identifier | None = None,
    status: Status | None = None,
    rule_id: Identifier | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    who: Principal = Depends(requires(*OVERSEERS)),
):
    rt = runtime(request)
    await rt.stations.refresh()
    _scoped(who, station_id)
    if station_id:
        who.require_station(station_id, rt.stations.district_of)
    return await views.deliveries(rt.pool, station_id, status, rule_id, limit)


@router.get("/reminders")
async def list_reminders(
    request: Request,
    station_id: Identifier | None = None,
    status: Literal["pending", "fired", "cancelled", "superseded"] | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    who: Principal = Depends(requires(*OVERSEERS)),
):
    rt = runtime(request)
    await rt.stations.refresh()
    _scoped(who, station_id)
    if station_id:
        who.require_station(station_id, rt.stations.district_of)
    return await views.reminders(rt.pool, station_id, status, limit)


async def _record_redrive(conn, envelopes) -> None:  # type: ignore[no-untyped-def]
    for env in envelopes:
        await conn.execute(
            f"UPDATE {S}.deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            "last_error = NULL WHERE delivery_id = $1 AND status = 'dead'",
            uuid.UUID(env.aggregate_id),
        )


@router.post("/deliveries/{delivery_id}/redrive")
async def redrive_delivery(
    delivery_id: uuid.UUID,
    request: Request,
    who: Principal = Depends(requires(*OVERSEERS)),
    ctx: CommandContext = Depends(command_context),
):
    """Send a dead notification again, from a fresh attempt count (409 unless it is dead)."""
    rt = runtime(request)
    await rt.stations.refresh()
    row = await views.delivery(rt.pool, delivery_id)
    if row is None:
        raise NotificationNotFound(f"no notification {delivery_id}")
    who.require_station(row["station_id"], rt.stations.district_of)
    answer = await execute(
        rt.store, NOTIFICATION, str(delivery_id), row["station_id"], ctx,
        decide=lambda state, _v: redrive(state, str(delivery_id)),
        respond=lambda events, state: Answer(200, {"delivery_id": str(delivery_id), "status": "pending"}),
        after_append=_record_redrive,
    )
    return respond(answer)

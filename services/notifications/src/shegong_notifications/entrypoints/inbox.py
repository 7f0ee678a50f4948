"""The in-app inbox: the caller's own notifications, listed and marked read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from shegong_runtime.auth import Principal, principal
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.http import command_context, respond
from shegong_runtime.service import runtime

from shegong_notifications import views
from shegong_notifications.domain.notification import (
    NotificationAggregate,
    NotificationNotFound,
    mark_read,
)
from shegong_notifications.schema import S

router = APIRouter(tags=["inbox"])
NOTIFICATION = NotificationAggregate()


@router.get("/inbox")
async def list_inbox(
    request: Request,
    unread_only: bool = False,
    limit: int = Query(default=50, ge=1, le=500),
    who: Principal = Depends(principal),
):
    return await views.inbox(runtime(request).pool, who.subject, unread_only, limit)


async def _record_read(conn, envelopes) -> None:  # type: ignore[no-untyped-def]
    for env in envelopes:
        await conn.execute(
            f"UPDATE {S}.inbox SET read_at = $2 WHERE delivery_id = $1 AND read_at IS NULL",
            uuid.UUID(env.aggregate_id), env.recorded_at,
        )


@router.post("/inbox/{delivery_id}/read")
async def read(
    delivery_id: uuid.UUID,
    request: Request,
    who: Principal = Depends(principal),
    ctx: CommandContext = Depends(command_context),
):
    """Only the addressee marks their notification read; reading again changes nothing."""
    rt = runtime(request)
    item = await views.inbox_item(rt.pool, delivery_id)
    if item is None or item["recipient_id"] != who.subject:
        raise NotificationNotFound(f"no notification {delivery_id} in this inbox")
    answer = await execute(
        rt.store, NOTIFICATION, str(delivery_id), item["station_id"], ctx,
        decide=lambda state, _v: mark_read(state, str(delivery_id), who.subject),
        respond=lambda events, state: Answer(200, {"delivery_id": str(delivery_id), "read": state.read}),
        after_append=_record_read,
    )
    return respond(answer)

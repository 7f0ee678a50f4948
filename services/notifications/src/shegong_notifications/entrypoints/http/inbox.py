"""The in-app inbox: the caller's own notifications, listed and marked read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from shegong_runtime import openapi
from shegong_runtime.auth import Principal, principal
from shegong_runtime.commands import Answer, CommandContext, handle
from shegong_runtime.http import command_context, respond
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Caller
from shegong_runtime.service import runtime

from shegong_notifications import projections, views
from shegong_notifications.domain.notification import NOTIFICATION, MarkRead, NotificationNotFound
from shegong_notifications.entrypoints.http.answers import InboxItem, ReadAnswer

router = APIRouter(tags=["inbox"])


@router.get(
    "/inbox",
    responses=openapi.reading(Page[InboxItem], "the caller's notifications, newest first"),
)
async def list_inbox(request: Request, page: Paging, who: Caller, unread_only: bool = False):
    return page.answer(*await views.inbox(runtime(request).pool, page, who.subject, unread_only))


@router.post(
    "/inbox/{delivery_id}/read",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the notification, read", ReadAnswer),
)
async def read_notification(
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
    answer = await handle(
        rt.store,
        NOTIFICATION,
        str(delivery_id),
        MarkRead(str(delivery_id), who.subject),
        station_id=item["station_id"],
        ctx=ctx,
        respond=lambda events, state: Answer(
            200, {"delivery_id": str(delivery_id), "read": state.read}
        ),
        after_append=projections.in_step,
    )
    return respond(answer)

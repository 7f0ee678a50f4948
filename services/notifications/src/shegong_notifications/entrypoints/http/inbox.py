"""The in-app inbox: the caller's own notifications, listed and marked read."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from shegong_runtime import openapi
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Order, answer
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Addressed, Caller
from shegong_runtime.service import Runtime, runtime

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
async def read_notification(delivery_id: uuid.UUID, call: Addressed):
    """Only the addressee marks their notification read; reading again changes nothing."""
    item = await _item(call.rt, delivery_id)
    marking = Order(
        NOTIFICATION,
        str(delivery_id),
        MarkRead(str(delivery_id), call.who.subject),
        answer(200, delivery_id=str(delivery_id), read=lambda _, state: state.read),
        station_id=item["station_id"],
        scope=partial(_addressee, item),
        after_append=projections.in_step,
    )
    return await call.send(marking)


async def _item(rt: Runtime, delivery_id: uuid.UUID) -> Any:
    item = await views.inbox_item(rt.pool, delivery_id)
    if item is None:
        raise NotificationNotFound(f"此收件箱没有通知 {delivery_id}")
    return item


async def _addressee(item: Any, who: Principal, _state: Any) -> None:
    """The scope of reading: the addressee's own inbox (anyone else: not found, 404)."""
    if item["recipient_id"] != who.subject:
        raise NotificationNotFound("此收件箱没有这条通知")

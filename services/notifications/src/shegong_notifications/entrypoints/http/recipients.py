"""The recipients directory and subscriptions: who gets what through which channel.

Names, emails and webhook secrets are sealed under the person's key in the order's build, once
the command request has checked the caller's scope: the decider sees only sealed strings, and
a refused or replayed request seals nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from shegong_runtime import openapi, paging, pipl
from shegong_runtime import personal_data_routes as rights
from shegong_runtime.auth import MANAGERS, Principal
from shegong_runtime.commands import Order, Sealer, changed
from shegong_runtime.inputs import Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Manager, Managing, Staff, Writing
from shegong_runtime.service import Runtime, runtime

from shegong_notifications import projections, views
from shegong_notifications.domain import recipient
from shegong_notifications.domain.recipient import (
    RECIPIENT,
    Addresses,
    RecipientNotFound,
    data_subject,
)
from shegong_notifications.entrypoints.http import bodies
from shegong_notifications.entrypoints.http.answers import RecipientAnswer, RecipientView
from shegong_notifications.entrypoints.http.scope import (
    can_read,
    check_write,
    envelope_station,
    writes,
)

router = APIRouter(tags=["recipients"])
ANSWERED = changed(200, "recipient_id", events=False)
TO_RECIPIENT = openapi.link("get_recipient", recipient_id="$request.path.recipient_id")
# `Writing`/`Staff` here: the person themselves (any staff role), or a manager over them


def _filed_under(row: Any) -> str:
    """A recipient's events are filed under their station, or their district for officers."""
    return envelope_station(row["station_id"], row["district_id"])


async def _on_file(rt: Runtime, recipient_id: str, include_removed: bool = False) -> Any:
    """The recipient's row in the directory (404 before any scope is checked)."""
    row = await views.recipient(rt.pool, recipient_id, include_removed)
    if row is None:
        raise RecipientNotFound(f"没有接收人 {recipient_id}")
    return row


async def _may_change(rt: Runtime, row: Any, who: Principal, self_allowed: bool = False) -> None:
    """The person themselves (where `self_allowed`), or a manager over their station or district."""
    if self_allowed and who.subject == row["recipient_id"]:
        return
    who.require_role(MANAGERS)
    station_id = row["station_id"]
    await check_write(rt, who, station_id, None if station_id else row["district_id"])


async def _existing(
    rt: Runtime,
    who: Principal,
    recipient_id: str,
    self_allowed: bool = False,
    include_removed: bool = False,
) -> Any:
    """The recipient's row, after checking the caller may see it (404 before 403), for reads."""
    row = await _on_file(rt, recipient_id, include_removed)
    await _may_change(rt, row, who, self_allowed)
    return row


def _order(
    rt: Runtime,
    row: Any,
    command: Any,
    *,
    self_allowed: bool = False,
    erases: bool = False,
) -> Order[Any, Any]:
    """A command on the recipient of `row`, filed under their station (or district), in the
    scope of the person themselves (where `self_allowed`) or a manager over them."""

    async def scope(who: Principal, _state: Any) -> None:
        await _may_change(rt, row, who, self_allowed)

    return Order(
        RECIPIENT,
        row["recipient_id"],
        command,
        ANSWERED,
        station_id=_filed_under(row),
        subject=data_subject(row["recipient_id"]),
        erases=erases,
        scope=scope,
        after_append=projections.in_step,
    )


async def _sealed(
    seal: Sealer, body: bodies.RegisterRecipient | bodies.UpdateRecipient
) -> Addresses:
    """Addresses as the events carry them: name, email and secret sealed under the person's key."""
    return Addresses(
        name_sealed=await seal(body.name),
        email_sealed=await seal(body.email),
        webhook_url=str(body.webhook_url) if body.webhook_url else None,
        webhook_secret_sealed=await seal(body.webhook_secret),
    )


async def _registration(
    rt: Runtime, body: bodies.RegisterRecipient, _state: Any, seal: Sealer
) -> recipient.RegisterRecipient:
    """The registration, under the station's district (known once the scope is checked)."""
    district = rt.stations.district_of(body.station_id) if body.station_id else body.district_id
    return recipient.RegisterRecipient(
        recipient_id=body.recipient_id,
        role=body.role,
        station_id=body.station_id,
        district_id=district or "",
        refs=body.refs,
        addresses=await _sealed(seal, body),
    )


async def _update(
    body: bodies.UpdateRecipient, recipient_id: str, _state: Any, seal: Sealer
) -> recipient.UpdateRecipient:
    return recipient.UpdateRecipient(recipient_id, await _sealed(seal, body), refs=body.refs)


@router.post(
    "/recipients",
    status_code=201,
    responses=openapi.command(
        201,
        "the recipient, registered",
        RecipientAnswer,
        recipient=openapi.link("get_recipient", recipient_id="$response.body#/recipient_id"),
    ),
)
async def register_recipient(body: bodies.RegisterRecipient, call: Managing):
    registration = Order(
        RECIPIENT,
        body.recipient_id,
        partial(_registration, call.rt, body),
        changed(201, "recipient_id", events=False),
        station_id=envelope_station(body.station_id, body.district_id),
        subject=data_subject(body.recipient_id),
        scope=writes(call.rt, body.station_id, body.district_id),
        after_append=projections.in_step,
    )
    return await call.send(registration)


@router.post(
    "/recipients/{recipient_id}/updates",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(
        200, "the recipient, updated", RecipientAnswer, recipient=TO_RECIPIENT
    ),
)
async def update_recipient(recipient_id: Identifier, body: bodies.UpdateRecipient, call: Writing):
    row = await _on_file(call.rt, recipient_id)
    update = partial(_update, body, recipient_id)
    return await call.send(_order(call.rt, row, update, self_allowed=True))


@router.post(
    "/recipients/{recipient_id}/removal",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the recipient, removed", RecipientAnswer),
)
async def remove_recipient(recipient_id: Identifier, call: Managing):
    row = await _on_file(call.rt, recipient_id)
    return await call.send(_order(call.rt, row, recipient.RemoveRecipient(recipient_id)))


@router.post(
    "/recipients/{recipient_id}/erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the recipient's personal data, erased", RecipientAnswer),
)
async def erase_recipient(recipient_id: Identifier, body: pipl.Erase, call: Managing):
    """PIPL erasure: the recipient's key goes with the event; nothing more is sent to them."""
    row = await _on_file(call.rt, recipient_id, include_removed=True)
    command = recipient.EraseRecipient(recipient_id, reason=body.reason, erased_at=pipl.now())
    return await call.send(_order(call.rt, row, command, erases=True))


@router.get(
    "/recipients/{recipient_id}/export",
    responses=rights.EXPORT_RESPONSES,
)
async def export_recipient(recipient_id: Identifier, request: Request, who: Staff):
    """A copy of the recipient's data (PIPL): the person themselves or a manager over them."""
    rt = runtime(request)
    row = await _existing(rt, who, recipient_id, self_allowed=True, include_removed=True)
    subject, streams = data_subject(recipient_id), [f"recipient-{recipient_id}"]
    return await rights.export(rt, who, _filed_under(row), subject, streams, checked=True)


@router.post(
    "/recipients/{recipient_id}/subscriptions",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(
        200, "the subscription, set", RecipientAnswer, recipient=TO_RECIPIENT
    ),
)
async def set_subscription(recipient_id: Identifier, body: bodies.SetSubscription, call: Writing):
    """The person themselves, or a lead over them, chooses the channel for one topic."""
    row = await _on_file(call.rt, recipient_id)
    command = recipient.SetSubscription(recipient_id, topic=body.topic, channel=body.channel)
    return await call.send(_order(call.rt, row, command, self_allowed=True))


async def _shown(rt: Runtime, rows: list[Any]) -> list[dict[str, Any]]:
    """Directory rows with names and addresses opened for this authorised read."""
    subs = await views.subscriptions(rt.pool, [r["recipient_id"] for r in rows])
    out = []
    async with rt.sealing.holding(data_subject(r["recipient_id"]) for r in rows):
        for r in rows:
            out.append(await _one_shown(rt, r, subs))
    return out


async def _one_shown(rt: Runtime, r: Any, subs: dict[str, Any]) -> dict[str, Any]:
    sid = data_subject(r["recipient_id"])
    return {
        "recipient_id": r["recipient_id"],
        "role": r["role"],
        "station_id": r["station_id"],
        "district_id": r["district_id"],
        "refs": list(r["refs"]),
        "name": await rt.sealing.open_or_redacted(sid, r["name_sealed"]),
        "email": await rt.sealing.open_or_redacted(sid, r["email_sealed"]),
        "webhook_url": r["webhook_url"],
        "subscriptions": subs.get(r["recipient_id"], {}),
        "registered_at": r["registered_at"],
    }


@router.get(
    "/recipients",
    responses=openapi.reading(Page[RecipientView], "the directory in the caller's scope"),
)
async def list_recipients(
    request: Request,
    page: Paging,
    who: Manager,
    station_id: Identifier | None = None,
    district_id: Identifier | None = None,
):
    """The directory in the caller's scope, names and addresses opened (and audited) only for
    the page shown: a directory of staff, bounded by configuration, paged after the scope check."""
    rt = runtime(request)
    await rt.stations.refresh()
    rows = [
        r
        for r in await views.recipients(rt.pool, station_id, district_id)
        if can_read(rt, who, r["station_id"], r["district_id"])
    ]
    chosen, after = paging.slice_of_list(rows, views.RECIPIENTS, page)
    return page.answer(await _shown(rt, chosen), after)


@router.get(
    "/recipients/{recipient_id}",
    responses=openapi.reading(RecipientView, "one recipient"),
)
async def get_recipient(recipient_id: Identifier, request: Request, who: Staff):
    """One recipient as the directory lists them: the person themselves or a manager over them."""
    rt = runtime(request)
    await rt.stations.refresh()
    row = await _existing(rt, who, recipient_id, self_allowed=True)
    (shown,) = await _shown(rt, [row])
    return shown

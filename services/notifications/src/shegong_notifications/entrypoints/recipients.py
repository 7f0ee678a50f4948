"""The recipients directory and subscriptions: who gets what through which channel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field, HttpUrl
from shegong_events import DomainEvent
from shegong_events.notifications import (
    ID,
    AudienceRole,
    Channel,
    RecipientErased,
    RecipientRegistered,
    RecipientUpdated,
    SubscriptionSet,
)
from shegong_runtime import pipl
from shegong_runtime.auth import Principal, Role, requires
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier, RequestModel
from shegong_runtime.service import Runtime, runtime

from shegong_notifications import directory, views
from shegong_notifications.domain import recipient as domain
from shegong_notifications.domain.recipient import (
    RecipientAggregate,
    RecipientNotFound,
    RecipientState,
    ScopeDoesNotFitRole,
)
from shegong_notifications.entrypoints.scope import can_see, envelope_station, require_scope

router = APIRouter(tags=["recipients"])
RECIPIENT = RecipientAggregate()
MANAGERS = (Role.station_lead, Role.district_officer, Role.city_admin)
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$"


class RegisterRecipient(RequestModel):
    recipient_id: str = Field(pattern=ID, description="the person's login subject")
    role: AudienceRole
    station_id: Identifier | None = None
    district_id: Identifier | None = Field(default=None, description="district officers only")
    name: str | None = Field(default=None, max_length=50, description="sealed")
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254, description="sealed")
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200, description="sealed")
    refs: list[str] = Field(default_factory=list, max_length=20)


class UpdateRecipient(RequestModel):
    name: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)
    refs: list[str] | None = Field(default=None, max_length=20)


class SetSubscription(RequestModel):
    topic: str = Field(pattern=ID, description="a template id, e.g. urgent-need")
    channel: Channel | Literal["none"]


def subject(recipient_id: str) -> str:
    return f"recipient:{recipient_id}"


def _answer(status: int):  # type: ignore[no-untyped-def]
    return lambda events, state: Answer(
        status,
        {"recipient_id": events[0].aggregate_id if events else None,
         "version": events[-1].aggregate_version if events else None},
    )


async def _existing(  # type: ignore[no-untyped-def]
    rt: Runtime, who: Principal, recipient_id: str, self_allowed: bool = False, include_removed: bool = False
):
    """The recipient's row, after checking the caller may change it (404 before 403)."""
    row = await views.recipient(rt.pool, recipient_id, include_removed)
    if row is None:
        raise RecipientNotFound(f"no recipient {recipient_id}")
    if self_allowed and who.subject == recipient_id:
        return row
    who.require_role(MANAGERS)
    station_id = row["station_id"]
    await require_scope(rt, who, station_id, None if station_id else row["district_id"])
    return row


async def _addresses(
    rt: Runtime, recipient_id: str, body: RegisterRecipient | UpdateRecipient
) -> dict[str, str | None]:
    """Addresses as the events carry them: name, email and secret sealed under the person's key."""
    sid = subject(recipient_id)
    return {
        "name_sealed": await rt.keys.seal(sid, body.name),
        "email_sealed": await rt.keys.seal(sid, body.email),
        "webhook_url": str(body.webhook_url) if body.webhook_url else None,
        "webhook_secret_sealed": await rt.keys.seal(sid, body.webhook_secret),
    }


async def _command(
    rt: Runtime,
    recipient_id: Identifier,
    station_id: Identifier | None,
    district_id: Identifier | None,
    ctx: CommandContext,
    decide: Callable[[RecipientState], Sequence[DomainEvent]],
    status: int = 200,
) -> JSONResponse:
    """One recipient command, filed under their station or district; the directory kept in step."""
    answer = await execute(
        rt.store, RECIPIENT, recipient_id, envelope_station(station_id, district_id), ctx,
        decide=lambda state, _v: decide(state),
        respond=_answer(status),
        after_append=directory.record,
    )
    return respond(answer)


@router.post("/recipients", status_code=201)
async def register(
    body: RegisterRecipient,
    request: Request,
    who: Principal = Depends(requires(*MANAGERS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    if (body.role == "district_officer") != (body.station_id is None):
        raise ScopeDoesNotFitRole(
            "district officers are registered with district_id, every other role with station_id",
            field="station_id",
        )
    await require_scope(rt, who, body.station_id, body.district_id)
    district_id = rt.stations.district_of(body.station_id) if body.station_id else body.district_id
    event = RecipientRegistered(
        recipient_id=body.recipient_id,
        role=body.role,
        station_id=body.station_id,
        district_id=district_id,  # type: ignore[arg-type]
        refs=body.refs,
        **await _addresses(rt, body.recipient_id, body),
    )
    return await _command(
        rt, body.recipient_id, body.station_id, district_id, ctx,
        lambda state: domain.register(state, event), status=201,
    )


@router.post("/recipients/{recipient_id}/updates")
async def update(
    recipient_id: Identifier,
    body: UpdateRecipient,
    request: Request,
    who: Principal = Depends(requires(*MANAGERS, Role.social_worker)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    row = await _existing(rt, who, recipient_id, self_allowed=True)
    event = RecipientUpdated(refs=body.refs, **await _addresses(rt, recipient_id, body))
    return await _command(
        rt, recipient_id, row["station_id"], row["district_id"], ctx,
        lambda state: domain.update(state, recipient_id, event),
    )


@router.post("/recipients/{recipient_id}/removal")
async def remove(
    recipient_id: Identifier,
    request: Request,
    who: Principal = Depends(requires(*MANAGERS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    row = await _existing(rt, who, recipient_id)
    return await _command(
        rt, recipient_id, row["station_id"], row["district_id"], ctx,
        lambda state: domain.remove(state, recipient_id),
    )


@router.post("/recipients/{recipient_id}/erasure")
async def erase(
    recipient_id: Identifier,
    body: pipl.Erase,
    request: Request,
    who: Principal = Depends(requires(*MANAGERS)),
    ctx: CommandContext = Depends(command_context),
):
    """PIPL erasure: the recipient's key goes with the event; nothing more is sent to them."""
    rt = runtime(request)
    row = await _existing(rt, who, recipient_id, include_removed=True)
    await pipl.require_not_erased(rt.keys, subject(recipient_id))
    event = RecipientErased(reason=body.reason, erased_at=pipl.now())
    answer = await execute(
        rt.store, RECIPIENT, recipient_id, envelope_station(row["station_id"], row["district_id"]), ctx,
        decide=lambda state, _v: domain.erase(state, recipient_id, event),
        respond=_answer(200),
        after_append=_erased(rt, recipient_id),
    )
    return respond(answer)


def _erased(rt: Runtime, recipient_id: str):  # type: ignore[no-untyped-def]
    destroy = pipl.destroy_key(rt.keys, subject(recipient_id))

    async def both(conn, envelopes) -> None:  # type: ignore[no-untyped-def]
        await directory.record(conn, envelopes)
        await destroy(conn, envelopes)

    return both


@router.get("/recipients/{recipient_id}/export", responses={409: {"description": "the person's data was erased already"}})
async def export(recipient_id: Identifier, request: Request, who: Principal = Depends(requires(*MANAGERS, Role.social_worker))):
    """A copy of the recipient's data (PIPL): the person themselves or a manager over them."""
    rt = runtime(request)
    await _existing(rt, who, recipient_id, self_allowed=True, include_removed=True)
    return await pipl.export(rt.store, rt.keys, subject(recipient_id), [f"recipient-{recipient_id}"])


@router.post("/recipients/{recipient_id}/subscriptions")
async def set_subscription(
    recipient_id: Identifier,
    body: SetSubscription,
    request: Request,
    who: Principal = Depends(requires(*MANAGERS, Role.social_worker)),
    ctx: CommandContext = Depends(command_context),
):
    """The person themselves, or a lead over them, chooses the channel for one topic."""
    rt = runtime(request)
    row = await _existing(rt, who, recipient_id, self_allowed=True)
    event = SubscriptionSet(topic=body.topic, channel=body.channel)
    return await _command(
        rt, recipient_id, row["station_id"], row["district_id"], ctx,
        lambda state: domain.subscribe(state, recipient_id, event),
    )


@router.get("/recipients")
async def list_recipients(
    request: Request,
    station_id: Identifier | None = None,
    district_id: Identifier | None = None,
    who: Principal = Depends(requires(*MANAGERS)),
):
    """The directory in the caller's scope, names and addresses opened for this authorised read."""
    rt = runtime(request)
    await rt.stations.refresh()
    rows = [
        r for r in await views.recipients(rt.pool, station_id, district_id)
        if can_see(rt, who, r["station_id"], r["district_id"])
    ]
    subs = await views.subscriptions(rt.pool, [r["recipient_id"] for r in rows])
    out = []
    for r in rows:
        sid = subject(r["recipient_id"])
        out.append({
            "recipient_id": r["recipient_id"],
            "role": r["role"],
            "station_id": r["station_id"],
            "district_id": r["district_id"],
            "refs": list(r["refs"]),
            "name": await rt.keys.open_or_redacted(sid, r["name_sealed"]),
            "email": await rt.keys.open_or_redacted(sid, r["email_sealed"]),
            "webhook_url": r["webhook_url"],
            "subscriptions": subs.get(r["recipient_id"], {}),
            "registered_at": r["registered_at"],
        })
    return out

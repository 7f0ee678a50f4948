"""A command route's one call: `CommandRequest.send(order)` runs the one command path
(`commands.send`) for the caller (their write scope), under their Idempotency-Key and the
version they last saw (If-Match, or a body's deprecated `expected_version`), and answers as
JSON with the new version as the ETag.

The route parses its body, builds the command (or a `build(state, seal)` of it) and sends it;
loading, scope, replay, sealing, concurrency and the answer happen here, once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from shegong_runtime import crypto
from shegong_runtime.auth import Principal, Role, principal, requires
from shegong_runtime.commands import (
    Answer,
    CommandContext,
    Order,
    fingerprint,
    send,
)
from shegong_runtime.errors import DomainError
from shegong_runtime.eventstore import EventStore
from shegong_runtime.inputs import RequestModel

if TYPE_CHECKING:
    from shegong_runtime.service import Runtime


class IfMatchInvalid(DomainError):
    """If-Match carries the version the caller saw, a whole number (and agrees with the body's
    `expected_version` when both are sent)."""


class FollowsVersion(RequestModel):
    """A body that may still name the version it follows (a published contract before
    If-Match); the command request reads it when no If-Match header is sent."""

    expected_version: int | None = Field(
        default=None,
        ge=1,
        json_schema_extra={"deprecated": True},  # documented so; reading it stays quiet
        description="deprecated: send the version as If-Match instead; refused with 409 if "
        "the version moved",
    )


def _payload(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except json.JSONDecodeError:
        return body.decode(errors="replace")


async def command_context(request: Request, who: Principal = Depends(principal)) -> CommandContext:
    """FastAPI dependency for every POST: actor, correlation and the Idempotency-Key; keys sealed
    from here on wait for the command's append transaction."""
    payload = _payload(await request.body())
    crypto.begin_command()
    secret = request.app.state.settings.fingerprint_secret
    return CommandContext(
        actor=who.subject,
        correlation_id=request.state.correlation_id,
        idempotency_key=request.headers.get("Idempotency-Key"),
        fingerprint=fingerprint({"path": request.url.path, "body": payload}, secret),
    )


def respond(answer: Answer) -> JSONResponse:
    """The answer as JSON: `Idempotent-Replayed` on a retry, the new version as the ETag."""
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    if answer.version is not None:
        headers["ETag"] = f'"{answer.version}"'
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


def _if_match(request: Request) -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise IfMatchInvalid(f"If-Match {raw!r} 不是版本号", field="If-Match") from None


async def followed_version(request: Request) -> int | None:
    """The version a command follows: If-Match (`"3"`, `W/"3"`, `3`), else the body's
    deprecated `expected_version` (a body that declares it was validated before this runs)."""
    header = _if_match(request)
    payload = _payload(await request.body())
    body = payload.get("expected_version") if isinstance(payload, dict) else None
    if not isinstance(body, int) or isinstance(body, bool):
        body = None
    if header is not None and body is not None and header != body:
        raise IfMatchInvalid(
            f"If-Match {header} 与 expected_version {body} 不一致", field="If-Match"
        )
    return header if header is not None else body


@dataclass
class CommandRequest:
    """What a command route works with: the caller, the command context and the version they
    follow; `send` is the route's one call."""

    request: Request
    who: Principal
    ctx: CommandContext
    expected_version: int | None = None

    @property
    def rt(self) -> Runtime:
        from shegong_runtime.service import runtime

        return runtime(self.request)

    @property
    def store(self) -> EventStore:
        return self.rt.events

    async def send(self, order: Order[Any, Any]) -> JSONResponse:
        """Load, check the caller writes at the command's station (or the order's own `scope`),
        answer a retry from memory, refuse a moved version (409), seal, decide, append, answer."""
        rt = self.rt

        async def check(station_id: str, state: Any) -> None:
            if order.scope is not None:
                await order.scope(self.who, state)
            else:
                await rt.stations.check_write(self.who, station_id)

        answer = await send(
            self.store,
            order,
            self.ctx,
            keys=rt.keys,
            check=check,
            expected_version=self.expected_version,
        )
        return respond(answer)


def command_request(*roles: Role) -> Callable[..., Awaitable[CommandRequest]]:
    """FastAPI dependency of a command route open to `roles`."""
    allowed = requires(*roles)

    async def dependency(
        request: Request,
        who: Principal = Depends(allowed),
        ctx: CommandContext = Depends(command_context),
    ) -> CommandRequest:
        return CommandRequest(request, who, ctx, await followed_version(request))

    return dependency

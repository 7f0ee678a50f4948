"""The HTTP face every service shares: errors mapped in one place, health, readiness, metrics,
correlation ids, and the command context (actor, Idempotency-Key) built from a request."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shegong_runtime import audit, crypto, logging, openapi, outages
from shegong_runtime.auth import Principal, Role, principal, requires
from shegong_runtime.commands import (
    Answer,
    CommandContext,
    Respond,
    fingerprint,
    handle,
    remembered,
)
from shegong_runtime.correlation import Correlate
from shegong_runtime.decider import Decider
from shegong_runtime.errors import DomainError
from shegong_runtime.eventstore import ConcurrencyConflict, EventStore
from shegong_runtime.limits import Limits
from shegong_runtime.problems import problem

if TYPE_CHECKING:
    from shegong_events import Envelope

    from shegong_runtime.service import Runtime

log = logging.get("http")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _refused_fields(request: Request, raw: Sequence[Any]) -> JSONResponse:
    """A 422 naming each field and the rule it broke (pydantic's error type is the rule)."""
    errors = [
        {"field": _field(tuple(e["loc"])), "rule": e["type"], "message": e["msg"]} for e in raw
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem(422, errors[0]["rule"], detail, instance=request.url.path, errors=errors)


def install(app: FastAPI, ready: Callable[[], Awaitable[dict[str, bool]]]) -> None:
    """Limits, error mapping (problem details), correlation ids and the operator endpoints."""
    app.add_middleware(
        Limits,
        max_body_bytes=app.state.settings.http_max_body_bytes,
        max_upload_bytes=app.state.settings.http_max_upload_bytes,
    )
    outages.install(app)
    openapi.install(app)
    _map_errors(app)
    app.add_middleware(Correlate, service=app.state.settings.service)
    audit.install(app)
    _operator_endpoints(app, ready)


def _map_errors(app: FastAPI) -> None:
    """Every refusal and failure as RFC 9457 problem details with the rule's name."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _refused_fields(request, exc.errors())

    @app.exception_handler(ValidationError)
    async def contract_refused(request: Request, exc: ValidationError) -> JSONResponse:
        """An event contract refused what the request model let through: still the caller's."""
        return _refused_fields(request, exc.errors())

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> JSONResponse:
        errors = (
            [{"field": exc.field, "rule": exc.code, "message": str(exc)}] if exc.field else None
        )
        return problem(exc.status, exc.code, str(exc), instance=request.url.path, errors=errors)

    @app.exception_handler(ConcurrencyConflict)
    async def conflict(request: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return problem(
            409,
            "concurrency_conflict",
            str(exc),
            instance=request.url.path,
            expected_version=exc.expected,
            current_version=exc.current,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        rule = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, rule, str(exc.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        return problem(500, "internal_error", "the service failed; the log says why")


def _operator_endpoints(app: FastAPI, ready: Callable[[], Awaitable[dict[str, bool]]]) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/livez", tags=["operations"])
    async def livez() -> dict[str, str]:
        """Liveness: the event loop answers. Never a dependency check, so an outage of
        PostgreSQL or NATS makes a replica unready (`/readyz`), not restarted."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """200 when every part runs; else 503 with Retry-After and the failing checks named."""
        checks = await ready()
        ok = all(checks.values())
        if ok:
            return JSONResponse({"ready": True, "checks": checks})
        failing = sorted(name for name, passed in checks.items() if not passed)
        return JSONResponse(
            {"ready": False, "checks": checks, "failing": failing},
            status_code=503,
            headers={"Retry-After": str(outages.RETRY_AFTER_S)},
        )

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def command_context(request: Request, who: Principal = Depends(principal)) -> CommandContext:
    """FastAPI dependency for every POST: actor, correlation and the Idempotency-Key; keys sealed
    from here on wait for the command's append transaction."""
    body = await request.body()
    try:
        payload = json.loads(body) if body else None
    except json.JSONDecodeError:
        payload = body.decode(errors="replace")
    crypto.begin_command()
    secret = request.app.state.settings.fingerprint_secret
    return CommandContext(
        actor=who.subject,
        correlation_id=request.state.correlation_id,
        idempotency_key=request.headers.get("Idempotency-Key"),
        fingerprint=fingerprint({"path": request.url.path, "body": payload}, secret),
    )


def respond(answer: Answer) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


class IfMatchInvalid(DomainError):
    """If-Match carries the version the caller saw, a whole number."""


def expected_version(request: Request, body: Any = None) -> int | None:
    """The version a command follows: the body's `expected_version` when the route reads it
    from its body (the registry's contract), else the If-Match header (`"3"`, `W/"3"`, `3`)."""
    if body is not None:
        return getattr(body, "expected_version", None)
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise IfMatchInvalid(
            f"If-Match {raw!r} is not a version number", field="If-Match"
        ) from None


@dataclass
class CommandRequest:
    """What a command route works with: the runtime, the caller and the command context;
    `run` is the route's one call (scope, the one command path, the JSON answer)."""

    request: Request
    who: Principal
    ctx: CommandContext
    replay_asked: bool = field(default=False, init=False)  # `replayed` ran: `run` skips it

    @property
    def rt(self) -> Runtime:
        from shegong_runtime.service import runtime

        return runtime(self.request)

    @property
    def store(self) -> EventStore:
        store = self.rt.store
        assert store is not None, "commands need a service with an event store"
        return store

    async def at(self, station_id: str) -> Runtime:
        """The runtime, once the station is known (422) and the caller writes there (403)."""
        await self.rt.stations.check_write(self.who, station_id)
        return self.rt

    async def replayed(self) -> JSONResponse | None:
        """The remembered answer to a retry under the same Idempotency-Key: asked before
        anything is sealed, so a retry seals nothing new."""
        prior = await remembered(self.store, self.ctx)
        self.replay_asked = True
        return None if prior is None else respond(prior)

    async def run(
        self,
        decider: Decider[Any, Any],
        aggregate_id: str,
        command: Any,
        *,
        station_id: str,
        respond: Respond,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        after_append: Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]] | None = None,
        raced_by: tuple[type[Exception], ...] = (),
        checked: bool = False,
        loaded: tuple[Any, int] | None = None,
    ) -> JSONResponse:
        """Check the station's scope (unless the route `checked` a scope of its own), handle the
        command through `commands.handle` (on the state the route `loaded`, if it did), answer
        as JSON."""
        if not checked:
            await self.at(station_id)
        answer = await handle(
            self.store,
            decider,
            aggregate_id,
            command,
            station_id=station_id,
            ctx=self.ctx,
            respond=respond,
            occurred_at=occurred_at,
            expected_version=expected_version,
            after_append=after_append,
            raced_by=raced_by,
            loaded=loaded,
            replay_asked=self.replay_asked,
        )
        return _respond(answer)


_respond = respond


def command_request(*roles: Role) -> Callable[..., Awaitable[CommandRequest]]:
    """FastAPI dependency of a command route open to `roles`."""
    allowed = requires(*roles)

    async def dependency(
        request: Request,
        who: Principal = Depends(allowed),
        ctx: CommandContext = Depends(command_context),
    ) -> CommandRequest:
        return CommandRequest(request, who, ctx)

    return dependency

"""The HTTP face every service shares: errors mapped in one place, health, readiness, metrics,
correlation ids, and the command context (actor, Idempotency-Key) built from a request."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shegong_runtime import audit, crypto, logging
from shegong_runtime.auth import Principal, principal
from shegong_runtime.commands import Answer, CommandContext, fingerprint
from shegong_runtime.errors import DomainError
from shegong_runtime.eventstore import ConcurrencyConflict

log = logging.get("http")
CORRELATION_HEADER = "X-Correlation-Id"


def install(app: FastAPI, ready: Callable[[], Awaitable[dict[str, bool]]]) -> None:
    """Error mapping, correlation ids and the operator endpoints, on one app."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path", "header")),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"error": "validation_failed", "errors": errors}, status_code=422)

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"error": exc.code, "message": str(exc)}
        if exc.field:
            body["field"] = exc.field
            body["errors"] = [{"field": exc.field, "message": str(exc), "type": exc.code}]
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(ConcurrencyConflict)
    async def conflict(request: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return JSONResponse(
            {
                "error": "concurrency_conflict",
                "message": str(exc),
                "expected_version": exc.expected,
                "current_version": exc.current,
            },
            status_code=409,
        )

    @app.middleware("http")
    async def correlate(request: Request, call_next):  # type: ignore[no-untyped-def]
        raw = request.headers.get(CORRELATION_HEADER)
        try:
            correlation = uuid.UUID(raw) if raw else uuid.uuid4()
        except ValueError:
            correlation = uuid.uuid4()
        request.state.correlation_id = correlation
        logging.clear()
        logging.bind(correlation_id=str(correlation))
        response = await call_next(request)
        response.headers[CORRELATION_HEADER] = str(correlation)
        return response

    audit.install(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"])
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

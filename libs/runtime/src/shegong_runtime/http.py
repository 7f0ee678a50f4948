"""The HTTP face every service shares: errors mapped in one place, health, readiness, metrics and
correlation ids. A command route's one call lives in `command_request` (re-exported here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shegong_runtime import audit, logging, openapi, outages
from shegong_runtime.correlation import Correlate
from shegong_runtime.errors import DomainError
from shegong_runtime.eventstore import ConcurrencyConflict
from shegong_runtime.limits import Limits
from shegong_runtime.problems import problem

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
        return problem(500, "internal_error", "服务出错，原因已记入日志")


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

"""Telling an outage from a bug: PostgreSQL or NATS out of reach is a 503 naming it, with
Retry-After and one log line; anything else is still an error worth a traceback."""

from __future__ import annotations

import asyncpg
import nats.errors
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shegong_runtime import logging
from shegong_runtime.problems import problem

log = logging.get("outage")
RETRY_AFTER_S = 5

POSTGRES_OUTAGES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # connection lost, refused or rejected
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections
)
NATS_OUTAGES: tuple[type[BaseException], ...] = (
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
)


def _from_package(exc: BaseException, package: str) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if f"/{package}/" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def dependency_of(exc: BaseException) -> str | None:
    """The dependency an exception says is out of reach, or None when it is not an outage."""
    if isinstance(exc, NATS_OUTAGES) or (
        isinstance(exc, nats.errors.Error) and "unavailable" in str(exc).lower()
    ):
        return "nats"
    if isinstance(exc, POSTGRES_OUTAGES):
        return "postgresql"
    if isinstance(exc, asyncpg.InterfaceError) and "clos" in str(exc):
        return "postgresql"  # "connection is closed", "pool is closing"
    if isinstance(exc, OSError):  # refused, reset, unreachable, timed out
        if _from_package(exc, "nats"):
            return "nats"
        if _from_package(exc, "asyncpg") or isinstance(exc, (ConnectionError, TimeoutError)):
            return "postgresql"
    return None


def unavailable(dependency: str, instance: str | None = None) -> JSONResponse:
    name = {"postgresql": "PostgreSQL", "nats": "NATS"}.get(dependency, dependency)
    return problem(
        503,
        "dependency_unavailable",
        f"暂时无法连接 {name}，请 {RETRY_AFTER_S} 秒后再试",
        instance=instance,
        headers={"Retry-After": str(RETRY_AFTER_S)},
        dependency=dependency,
    )


def install(app: FastAPI) -> None:
    async def outage(request: Request, exc: Exception) -> JSONResponse:
        dependency = dependency_of(exc)
        if dependency is None:
            raise exc
        log.warning(
            "dependency.unavailable",
            dependency=dependency,
            error=type(exc).__name__,
            method=request.method,
            path=request.url.path,
        )
        return unavailable(dependency, request.url.path)

    for kind in (*POSTGRES_OUTAGES, asyncpg.InterfaceError, nats.errors.Error, OSError):
        app.add_exception_handler(kind, outage)

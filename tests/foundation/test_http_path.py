"""The HTTP path of every service stays on the event loop: no route or dependency is a plain
function (FastAPI runs those in a thread pool, a hand-off each way per call), and no middleware
is Starlette's `BaseHTTPMiddleware` (a second task and memory streams per request). Both cost
more than the route's own work; bench/NOTES.md has the profile that found them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from shegong_runtime import catalogue
from shegong_runtime.settings import for_service
from starlette.middleware.base import BaseHTTPMiddleware

SERVICES = ["registry", "visits", "engagement", "notifications", "stations"]


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from _routes(route.original_router.routes)
        else:
            yield route


def _asynchronous(call: Any) -> bool:
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(type(call).__call__)  # a callable object (HTTPBearer)


def _plain(dependant: Any) -> Iterator[str]:
    for dep in dependant.dependencies:
        if dep.call is not None and not _asynchronous(dep.call):
            yield getattr(dep.call, "__qualname__", repr(dep.call))
        yield from _plain(dep)


@pytest.fixture(scope="module", params=SERVICES)
def app(request, database_url):
    return catalogue.service(request.param).app(for_service(request.param))


def test_no_route_or_dependency_runs_in_the_thread_pool(app):
    plain = {
        f"{route.path}: {name}"
        for route in _routes(app.routes)
        if isinstance(route, APIRoute)
        for name in ([] if _asynchronous(route.endpoint) else [route.endpoint.__qualname__])
        + list(_plain(route.dependant))
    }
    assert not plain, sorted(plain)


def test_no_middleware_runs_the_request_in_a_second_task(app):
    wrapping = [
        m.cls.__name__ for m in app.user_middleware if issubclass(m.cls, BaseHTTPMiddleware)
    ]
    assert not wrapping, wrapping

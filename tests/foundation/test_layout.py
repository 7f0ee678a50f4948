"""Every service has the same shape, so a newcomer learns one (docs/writing-a-service.md): the
same files, and each thing where the shape puts it — request bodies in `bodies.py`, what routes
answer in `answers.py`, the deciders' commands in `domain/`, one `router` per HTTP package, and
operation ids by one rule."""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from shegong_runtime import catalogue
from shegong_runtime.decider import Decider
from shegong_runtime.inputs import RequestModel
from shegong_runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
WRITE_SERVICES = ["registry", "visits", "engagement", "notifications"]
SERVICES = [*WRITE_SERVICES, "stations"]
EVERY_SERVICE = ["config.py", "bootstrap.py", "demo.py"]
HTTP_PACKAGE = {name: f"shegong_{name}.entrypoints.http" for name in SERVICES} | {
    "workbench": "shegong_workbench.entrypoints"  # pages and a proxy, no API of its own
}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def package(name: str) -> Path:
    return ROOT / "services" / name / "src" / f"shegong_{name}"


@cache
def app(name: str) -> FastAPI:
    return catalogue.service(name).app(Settings(service=name))


def routes(name: str) -> list[APIRoute]:
    """The app's API routes, through the routers it includes."""
    found = (c.original_route for c in iter_route_contexts(app(name).routes))
    return [r for r in found if isinstance(r, APIRoute)]


def models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation names: through unions, lists and generic pages."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        generic = annotation.__pydantic_generic_metadata__
        if generic["origin"] is not None:  # e.g. paging.Page[Row]: the page, and its rows
            return [generic["origin"], *(m for a in generic["args"] for m in models(a))]
        return [annotation]
    if get_origin(annotation) in (Union, types.UnionType, list, tuple, dict):
        return [m for a in get_args(annotation) for m in models(a)]
    return []


def home(model: type, name: str) -> str:
    """Where a model lives, relative to the service (`entrypoints.http.bodies`), or `kit`."""
    module = model.__module__
    if module.startswith(("shegong_runtime.", "shegong_events.")):
        return "kit"
    return module.removeprefix(f"shegong_{name}.")


@pytest.mark.parametrize("name", [*SERVICES, "workbench"])
def test_each_service_keeps_the_common_files(name):
    pkg = package(name)
    missing = [f for f in EVERY_SERVICE if not (pkg / f).is_file()]
    assert not missing, (name, missing)
    if name != "workbench":  # the workbench reads the services' APIs, it keeps no read model
        assert (pkg / "views.py").is_file(), name
        assert (pkg / "projections.py").is_file() or (pkg / "projections").is_dir(), name
    assert (ROOT / "services" / name / "README.md").is_file(), name


@pytest.mark.parametrize("name", [*SERVICES, "workbench"])
def test_each_http_package_exports_one_router_the_service_mounts(name):
    http = importlib.import_module(HTTP_PACKAGE[name])
    assert isinstance(getattr(http, "router", None), APIRouter), name
    assert list(catalogue.service(name).routers) == [http.router], name


@pytest.mark.parametrize("name", WRITE_SERVICES)
def test_request_bodies_live_in_bodies_py(name):
    taken = [
        (route.path, model)
        for route in routes(name)
        for param in route.dependant.body_params
        for model in models(param.field_info.annotation)
    ]
    misplaced = {
        (path, model.__name__, home(model, name))
        for path, model in taken
        if home(model, name) not in ("entrypoints.http.bodies", "kit")
    }
    assert taken, name
    assert not misplaced, misplaced


@pytest.mark.parametrize("name", WRITE_SERVICES)
def test_what_routes_answer_lives_in_answers_py(name):
    documented = [
        (route.path, model)
        for route in routes(name)
        for annotation in [
            route.response_model,
            *(f.field_info.annotation for f in route.response_fields.values()),
        ]
        for model in models(annotation)
    ]
    misplaced = {
        (path, model.__name__, home(model, name))
        for path, model in documented
        if home(model, name) not in ("entrypoints.http.answers", "kit")
    }
    assert documented, name
    assert not misplaced, misplaced


def domain_modules(name: str) -> list[types.ModuleType]:
    root = importlib.import_module(f"shegong_{name}.domain")
    return [root] + [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(root.__path__, prefix=f"{root.__name__}.")
    ]


def commands_of(decider: Decider[Any, Any]) -> list[type]:
    """The command classes a decider declares it takes (`Decider[Command, State]`)."""
    for base in getattr(type(decider), "__orig_bases__", ()):
        if get_origin(base) is Decider:
            command = get_args(base)[0]
            return list(get_args(command)) or [command]
    return []


@pytest.mark.parametrize("name", WRITE_SERVICES)
def test_commands_live_in_domain_and_carry_no_request_body(name):
    modules = domain_modules(name)
    deciders = {
        id(value): value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, Decider)
    }
    commands = {c for d in deciders.values() for c in commands_of(d)}
    assert commands, name
    outside = {
        c.__qualname__ for c in commands if not c.__module__.startswith(f"shegong_{name}.domain")
    }
    assert not outside, outside
    bodies = {
        f"{module.__name__}.{value.__name__}"
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, RequestModel)
        and value.__module__ == module.__name__
    }
    assert not bodies, f"request bodies in domain/: {bodies}"
    carried = {
        (c.__qualname__, f)
        for c in commands
        for f, annotation in getattr(c, "__annotations__", {}).items()
        if any(issubclass(m, RequestModel) for m in models(_resolved(c, annotation)))
    }
    assert not carried, f"commands carrying a request body: {carried}"


def _resolved(cls: type, annotation: Any) -> Any:
    if isinstance(annotation, str):
        module = importlib.import_module(cls.__module__)
        try:
            return eval(annotation, vars(module))  # an annotation of our own code
        except NameError:
            return None
    return annotation


@pytest.mark.parametrize("name", [*SERVICES, "workbench"])
def test_operation_ids_follow_one_rule_the_route_functions_name(name):
    """`routes.operation_id`: snake_case, the function's name, unique; OpenAPI links name it."""
    spec = app(name).openapi()
    by_name = {route.name: route for route in routes(name)}
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), name
    broken = [i for i in ids if not SNAKE_CASE.match(i) or i not in by_name]
    assert not broken, broken


@pytest.mark.parametrize("name", SERVICES)
def test_no_service_keeps_its_own_glue_beside_the_kit(name):
    """Command glue, label tables and time zones live in the libraries, not in each service."""
    pkg = package(name)
    leftovers = [
        p.name for p in (pkg / "handlers.py", pkg / "labels.py", pkg / "clock.py") if p.exists()
    ]
    assert not leftovers, (name, leftovers)
    for source in pkg.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "ZoneInfo(" not in text and "hours=8" not in text, source
        assert "commands.execute" not in text, source
        assert not re.search(r"from shegong_runtime\.commands import[^\n]*\bexecute\b", text), (
            source
        )

"""Every write route is as thin as its decider: parse the body, build the command, one call into
the kit (`call.send(order)`), which loads, checks the scope, answers a retry, seals, decides,
appends and answers. A route that grows its own steps (a second load, a scope check of its
own, a dry-run decide) fails here, with the route named.

Read from the endpoints' source (`ast`), not run: a call into the kit is an awaited call on
something the kit made (the command request, the runtime, a module of `shegong_runtime`)."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from shegong_runtime import catalogue
from shegong_runtime.command_request import CommandRequest

SERVICES = ["visits", "registry", "engagement", "notifications", "stations"]
"""Every service with an API of its own; the workbench (sign-in and the staff pages, whose forms
go to these services' routes) sends no commands of its own and is not walked."""
PORTING: set[str] = set()
"""Write services whose routes still make several calls into the kit (the deprecated
`CommandRequest.run`, `call.at`, `personal_data_routes.erase`): each leaves this set once its
routes are ported to `call.send`, and the set is deleted when it is empty."""
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MAX_STATEMENTS = 4  # after the docstring, nested statements counted
KIT = "shegong_runtime"


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from _routes(route.original_router.routes)
        else:
            yield route


def write_routes(name: str) -> list[APIRoute]:
    """Routes that change something: a reading sent as POST (`openapi.READ_BY_POST`, a search
    whose criteria stay out of addresses) is a reading, and reads as one."""
    routers = catalogue.service(name).routers
    return [
        route
        for router in routers
        for route in _routes(router.routes)
        if isinstance(route, APIRoute)
        and (route.methods or set()) & WRITES
        and not (route.openapi_extra or {}).get("x-reading")
    ]


def _of_kit(value: Any) -> bool:
    module = getattr(value, "__module__", None) or getattr(value, "__name__", "")
    return isinstance(module, str) and module.split(".")[0] == KIT


def _annotation_of_kit(annotation: Any) -> bool:
    """`CommandRequest`, or `Annotated[CommandRequest, Depends(...)]`."""
    if _of_kit(annotation):
        return True
    return any(_of_kit(a) for a in getattr(annotation, "__metadata__", ())) or any(
        _of_kit(a) for a in getattr(annotation, "__args__", ())
    )


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _function(endpoint: Any) -> ast.AsyncFunctionDef | ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(endpoint)))
    node = tree.body[0]
    assert isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
    return node


def _body(fn: ast.AsyncFunctionDef | ast.FunctionDef) -> list[ast.stmt]:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return body


def statements(endpoint: Any) -> int:
    return sum(
        1
        for top in _body(_function(endpoint))
        for node in ast.walk(top)
        if isinstance(node, ast.stmt)
    )


def kit_calls(endpoint: Any, depth: int = 2) -> list[str]:
    """The awaited calls into the kit, as written; a helper of the route's own module that the
    route awaits counts as the route (a wrapper over the kit is no way round the rule)."""
    fn = _function(endpoint)
    hints = typing.get_type_hints(endpoint, include_extras=True)
    kit = {name for name, hint in hints.items() if name != "return" and _annotation_of_kit(hint)}
    kit |= {n for n, v in endpoint.__globals__.items() if _of_kit(v)}

    def touches_kit(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in kit for n in ast.walk(node))

    for node in ast.walk(fn):  # names made from the kit's objects are the kit's (`rt = runtime(r)`)
        if isinstance(node, ast.Assign) and touches_kit(node.value):
            kit |= {
                t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)
            }
    calls = []
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Await) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        helper = endpoint.__globals__.get(func.id) if isinstance(func, ast.Name) else None
        if _root(func) in kit:
            calls.append(ast.unparse(func))
        elif depth > 0 and inspect.isfunction(helper) and helper.__module__ == endpoint.__module__:
            calls += kit_calls(helper, depth - 1)
    return calls


def _named(route: APIRoute) -> str:
    return f"{min(route.methods or {'?'})} {route.path} ({route.endpoint.__qualname__})"


@pytest.mark.parametrize("name", sorted(set(SERVICES) - PORTING))
def test_every_write_route_is_parse_build_and_one_call(name):
    thick = {
        _named(route): n
        for route in write_routes(name)
        if (n := statements(route.endpoint)) > MAX_STATEMENTS
    }
    assert not thick, f"write routes longer than {MAX_STATEMENTS} statements: {thick}"
    repeated = {
        _named(route): calls
        for route in write_routes(name)
        if len(calls := kit_calls(route.endpoint)) > 1
    }
    assert not repeated, f"write routes calling into the kit more than once: {repeated}"


def test_the_porting_list_only_names_services_still_to_port():
    """A service leaves `PORTING` once its routes pass; one left there by mistake fails here."""
    done = [
        name
        for name in PORTING
        if all(
            statements(r.endpoint) <= MAX_STATEMENTS and len(kit_calls(r.endpoint)) <= 1
            for r in write_routes(name)
        )
    ]
    assert not done, f"ported already, take them out of PORTING: {done}"


async def _thick(station_id: str, call: CommandRequest) -> Any:
    await call.at(station_id)  # type: ignore[attr-defined]  # gone from the kit: only read, never run
    return await call.send(station_id)  # type: ignore[arg-type]  # never run, only read


async def _wrapped(station_id: str, call: CommandRequest) -> Any:
    return await _thick(station_id, call)


def test_the_shape_check_sees_a_second_call_into_the_kit():
    """The rule itself: a route that checks the scope and then sends is caught, also when it
    does so through a helper of its own module."""
    assert kit_calls(_thick) == ["call.at", "call.send"]
    assert statements(_thick) == 2
    assert kit_calls(_wrapped) == ["call.at", "call.send"]

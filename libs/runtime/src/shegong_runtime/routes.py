"""Who may call a route, said once for every service: the FastAPI dependencies of readings
(a `Principal`) and of commands (a `CommandRequest`), one per role set of `auth`, and the one
rule for operation ids."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.routing import APIRoute

from shegong_runtime.auth import (
    BUREAUS,
    MANAGERS,
    OVERSEERS,
    READERS,
    WRITERS,
    Principal,
    Role,
    principal,
    requires,
)
from shegong_runtime.command_request import CommandRequest, command_request

Caller = Annotated[Principal, Depends(principal)]
"""Anyone with a valid token (a reading narrowed by its own check, e.g. one's own inbox)."""
Reader = Annotated[Principal, Depends(requires(*READERS))]
Staff = Annotated[Principal, Depends(requires(*WRITERS))]
Manager = Annotated[Principal, Depends(requires(*MANAGERS))]
Overseer = Annotated[Principal, Depends(requires(*OVERSEERS))]

Writing = Annotated[CommandRequest, Depends(command_request(*WRITERS))]
"""A command of station staff and bureaus."""
Managing = Annotated[CommandRequest, Depends(command_request(*MANAGERS))]
"""A command of station leads and bureaus: reviews, certificates, rules, erasures."""
Inspecting = Annotated[CommandRequest, Depends(command_request(*BUREAUS))]
"""A command of the bureaus alone: a station's evaluation."""
Administering = Annotated[CommandRequest, Depends(command_request(Role.city_admin))]
"""A command of the city bureau alone: opening a station."""
Overseeing = Annotated[CommandRequest, Depends(command_request(*OVERSEERS))]
"""A command on deliveries: managers and operators."""
Addressed = Annotated[CommandRequest, Depends(command_request(*Role))]
"""A command of anyone with a valid token on what is addressed to them (their own inbox): the
route's order says whose it is (its `scope`)."""


def operation_id(route: APIRoute) -> str:
    """The one rule for operation ids: the route function's name, snake_case `verb_noun`
    (`file_organisation`, `get_rule`), stable because the OpenAPI links name it."""
    return route.name

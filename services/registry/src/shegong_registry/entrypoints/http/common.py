"""What the registry's routes share: path ids, who may do what, when a step happened, and the
OpenAPI links from a command's answer to the reading of what it changed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from shegong_events.calendar import as_aware
from shegong_runtime.auth import READERS, Principal, Role, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import CommandRequest, command_context, command_request
from shegong_runtime.inputs import RequestModel, Slug

StationId = Annotated[Slug, Path()]
OrganisationId = Annotated[Slug, Path()]
DistrictId = Annotated[Slug, Path()]
Context = Annotated[CommandContext, Depends(command_context)]

STATION_WRITERS = (Role.social_worker, Role.station_lead, Role.district_officer, Role.city_admin)
REVIEWERS = (
    Role.station_lead,
    Role.district_officer,
    Role.city_admin,
)  # return, approve, deregister
Staff = Annotated[Principal, Depends(requires(*STATION_WRITERS))]
Reviewer = Annotated[Principal, Depends(requires(*REVIEWERS))]
Reader = Annotated[Principal, Depends(requires(*READERS))]
Staffing = Annotated[CommandRequest, Depends(command_request(*STATION_WRITERS))]
"""A command of station staff and bureaus."""
Reviewing = Annotated[CommandRequest, Depends(command_request(*REVIEWERS))]
"""A review step: return, approve, deregister."""


class Body(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Dated(Body):
    occurred_at: datetime | None = Field(
        default=None,
        description="when it happened; a date or a time without zone is China time (UTC+8)",
    )


class Step(Dated):
    """A step on an existing aggregate: when it happened, and optionally the version it follows."""

    expected_version: int | None = Field(
        default=None, ge=1, description="refuse with 409 if the version moved"
    )


def when(value: datetime | None) -> datetime | None:
    """A time the caller gave, in station time when it names no zone; None is now."""
    return None if value is None else as_aware(value)


def answer(
    status: int, description: str, model: type[BaseModel], **links: dict[str, Any]
) -> dict[int | str, Any]:
    """A command's documented answer, with links to the readings of what it changed."""
    documented: dict[str, Any] = {"description": description, "model": model}
    return {status: documented | ({"links": links} if links else {})}


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: `parameters` are runtime expressions, e.g. `$response.body#/version`."""
    return {"operationId": operation_id, "parameters": parameters}

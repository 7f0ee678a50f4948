"""OpenAPI links: a command's answer leads to the reading of what it created or changed, so a
client (and schemathesis's stateful phase) can follow it. The linked readings' operation ids
are their route functions' names (the one rule, `routes.operation_id`)."""

from __future__ import annotations

from typing import Any

from shegong_runtime import openapi

from shegong_visits.entrypoints.http.answers import HouseholdChanged

GET_HOUSEHOLD = "get_household"
HOUSEHOLD_TIMELINE = "household_timeline"
_BY_ANSWER = "$response.body#/household_id"


def changed(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a household command: its answer (the new version as the ETag) and the
    readings it leads to."""
    return openapi.command(
        status,
        "the household's id, its new version and the events recorded",
        HouseholdChanged,
        household=openapi.link(GET_HOUSEHOLD, household_id=_BY_ANSWER),
        timeline=openapi.link(HOUSEHOLD_TIMELINE, household_id=_BY_ANSWER),
    )

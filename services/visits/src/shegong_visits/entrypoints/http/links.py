"""OpenAPI links: a command's answer leads to the reading of what it created or changed, so a
client (and schemathesis's stateful phase) can follow it. The linked readings keep these
operationIds."""

from __future__ import annotations

from typing import Any

from shegong_visits.entrypoints.http.answers import HouseholdChanged

GET_HOUSEHOLD = "get_household"
HOUSEHOLD_TIMELINE = "household_timeline"

NEW_VERSION = {
    "ETag": {
        "description": "the household's version after the command; send it back as If-Match",
        "schema": {"type": "string", "examples": ['"3"']},
    }
}
_BY_ANSWER = {"household_id": "$response.body#/household_id"}
LINKS = {
    "household": {
        "operationId": GET_HOUSEHOLD,
        "parameters": _BY_ANSWER,
        "description": "the household as it is now (its version is the ETag)",
    },
    "timeline": {
        "operationId": HOUSEHOLD_TIMELINE,
        "parameters": _BY_ANSWER,
        "description": "the household's events, with what this command recorded",
    },
}


def changed(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a household command: its answer (the new version as the ETag) and where
    it leads."""
    return {status: {"model": HouseholdChanged, "links": LINKS, "headers": NEW_VERSION}}

"""Registry HTTP API: thin routers per resource — validate, build the command, call the handler."""

from fastapi import APIRouter

from shegong_registry.entrypoints import (
    evaluations,
    organisation_commands,
    organisation_queries,
    personal_data,
    stations,
)

router = APIRouter()
for part in (stations, organisation_commands, organisation_queries, evaluations, personal_data):
    router.include_router(part.router)

"""The registry's HTTP API, one module per resource: thin routes that check scope, seal what is
personal, build a command and run it through `shegong_runtime.commands.handle`."""

from fastapi import APIRouter

from shegong_registry.entrypoints.http import (
    evaluations,
    organisation_reads,
    organisations,
    pending,
    personal_data,
    stations,
)

router = APIRouter()
for part in (stations, organisations, organisation_reads, pending, evaluations, personal_data):
    router.include_router(part.router)

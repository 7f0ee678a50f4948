"""The registry's HTTP API, one module per resource: each write route parses its body, states
the command as an `Order` and makes one call, `CommandRequest.send` (load, scope, replay,
If-Match, seal, decide, append, answer)."""

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

"""The engagement HTTP API, one router per resource; each operation's id is its function's name
(the kit's one rule, `routes.operation_id`), which the command answers' OpenAPI links name."""

from fastapi import APIRouter

from shegong_engagement.entrypoints.http import (
    certificates,
    deliberation,
    meetings,
    personal_data,
    volunteers,
)

router = APIRouter()
for part in (meetings, deliberation, volunteers, certificates, personal_data):
    router.include_router(part.router)

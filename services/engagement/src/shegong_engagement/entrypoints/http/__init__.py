"""The engagement HTTP API, one router per resource; each operation's id is its function's name
(stable, and what the command answers' OpenAPI links name)."""

from fastapi import APIRouter
from fastapi.routing import APIRoute

from shegong_engagement.entrypoints.http import (
    certificates,
    deliberation,
    meetings,
    personal_data,
    volunteers,
)


def operation_id(route: APIRoute) -> str:
    return route.name


router = APIRouter()
for part in (meetings, deliberation, volunteers, certificates, personal_data):
    router.include_router(part.router, generate_unique_id_function=operation_id)

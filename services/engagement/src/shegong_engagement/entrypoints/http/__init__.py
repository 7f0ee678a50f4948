"""The engagement HTTP API, one router per resource."""

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

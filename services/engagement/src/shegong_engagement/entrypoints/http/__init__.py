"""The engagement HTTP API, one router per resource."""

from fastapi import APIRouter

from shegong_engagement.entrypoints.http import certificates, deliberation, meetings, volunteers

router = APIRouter()
for part in (meetings, deliberation, volunteers, certificates):
    router.include_router(part.router)

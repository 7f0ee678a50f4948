"""The visits HTTP API, one module per resource: each write route parses its body, builds the
command and makes one call, `CommandRequest.send` (load, scope, replay, If-Match, seal,
decide, append, answer)."""

from fastapi import APIRouter
from fastapi.routing import APIRoute
from shegong_runtime.openapi import ETAG, IF_MATCH

from shegong_visits.entrypoints.http import consent, households, ledger, needs, visits
from shegong_visits.entrypoints.http.links import GET_HOUSEHOLD

PARTS = (households, visits, needs, consent, ledger)

# every command on an existing household honours If-Match (the command request reads it);
# its reading and every command's answer give the ETag
for route in (r for part in PARTS for r in part.router.routes):
    if not isinstance(route, APIRoute):
        continue
    if "POST" in (route.methods or set()) and "{household_id}" in route.path:
        route.openapi_extra = {**(route.openapi_extra or {}), **IF_MATCH}
    elif route.name == GET_HOUSEHOLD:
        route.openapi_extra = {"responses": {"200": {"headers": ETAG}}}

router = APIRouter()
for part in PARTS:
    router.include_router(part.router)

"""The visits HTTP API: one router per resource, each write route thin (parse, build the
command, one `call.send` into the kit's one command path)."""

from fastapi.routing import APIRoute
from shegong_runtime.openapi import ETAG, IF_MATCH

from shegong_visits.entrypoints.http import consent, households, ledger, needs, visits
from shegong_visits.entrypoints.http.links import GET_HOUSEHOLD

routers = [households.router, visits.router, needs.router, consent.router, ledger.router]

# every command on an existing household honours If-Match (the command request reads it);
# its reading and every command's answer give the ETag
for router in routers:
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        if "POST" in route.methods and "{household_id}" in route.path:
            route.openapi_extra = {**(route.openapi_extra or {}), **IF_MATCH}
        elif route.operation_id == GET_HOUSEHOLD:
            route.openapi_extra = {"responses": {"200": {"headers": ETAG}}}

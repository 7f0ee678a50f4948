"""The visits HTTP API: one router per concern, each thin (parse, seal, decide, answer)."""

from fastapi.routing import APIRoute
from shegong_runtime.openapi import ETAG, IF_MATCH

from shegong_visits.entrypoints import consent, households, needs, visits

routers = [households.router, visits.router, needs.router, consent.router]

# every command on an existing household goes through common.run, which honours If-Match
for router in routers:
    for route in router.routes:
        if isinstance(route, APIRoute) and "POST" in route.methods and "{household_id}" in route.path:
            route.openapi_extra = {**(route.openapi_extra or {}), **IF_MATCH}
        elif isinstance(route, APIRoute) and route.path == "/households/{household_id}":
            route.openapi_extra = {"responses": {"200": {"headers": ETAG}}}

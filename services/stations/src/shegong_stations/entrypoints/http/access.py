"""Who is asking, and which stations they may see.

The JSON API takes the bearer header through the kit's dependency, as every service does. A
browser cannot send a header from a link, so the dashboard also accepts `?token=<jwt>` once:
it answers with a redirect to the same page without the token and keeps the token in an
HttpOnly cookie for later pages.
"""

from __future__ import annotations

from fastapi import Request
from shegong_runtime.auth import (
    READERS,
    Principal,
    Role,
    Unauthenticated,
    bearer_token,
    caller,
    requires,
)
from shegong_runtime.errors import Forbidden

COOKIE = "shegong_token"
VIEWERS = READERS | {Role.operator}
reader = requires(*VIEWERS)
"""FastAPI dependency of the JSON API: any reading role, bearer header only."""


def from_page(request: Request) -> Principal:
    """The dashboard's caller: the bearer header, else the query token, else the cookie."""
    token = (
        bearer_token(request) or request.query_params.get("token") or request.cookies.get(COOKIE)
    )
    if not token:
        raise Unauthenticated(
            "missing bearer token (Authorization: Bearer <jwt>, or ?token= on the dashboard)"
        )
    return caller(request, token)


def require_city(who: Principal) -> None:
    if not who.citywide:
        raise Forbidden(f"role {who.role} has no access to the whole city")

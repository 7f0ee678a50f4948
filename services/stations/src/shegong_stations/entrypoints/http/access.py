"""Who is asking, and which stations they may see.

The JSON API takes the bearer header as every service does. A browser cannot send a header
from a link, so the dashboard also accepts `?token=<jwt>` once: it answers with a redirect to
the same page without the token and keeps the token in an HttpOnly cookie for later pages.
"""

from __future__ import annotations

from fastapi import Request
from shegong_runtime.auth import READERS, Principal, Role, Unauthenticated, verify
from shegong_runtime.errors import Forbidden

COOKIE = "shegong_token"
VIEWERS = READERS | {Role.operator}


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def from_request(request: Request, allow_cookie: bool) -> Principal:
    """The caller from the bearer header, else (dashboard only) the query token or the cookie."""
    token = bearer_of(request)
    if token is None and allow_cookie:
        token = request.query_params.get("token") or request.cookies.get(COOKIE)
    if not token:
        raise Unauthenticated(
            "missing bearer token (Authorization: Bearer <jwt>, or ?token= on the dashboard)"
        )
    return verify(request.app.state.settings, token)


def reader(request: Request) -> Principal:
    """FastAPI dependency of the JSON API: any reading role, bearer header only."""
    who = from_request(request, allow_cookie=False)
    who.require_role(VIEWERS)
    return who


def require_district(who: Principal, district_id: str) -> None:
    """A district's roll-up: the city's roles, or the officer of that district."""
    if who.citywide or (who.role == Role.district_officer and who.district == district_id):
        return
    raise Forbidden(f"role {who.role} has no access to district {district_id}", field="district_id")


def require_city(who: Principal) -> None:
    if not who.citywide:
        raise Forbidden(f"role {who.role} has no access to the whole city")

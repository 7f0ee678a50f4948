"""The signed-in worker: the services' own JWT, kept in an HttpOnly cookie of the workbench.

The browser never reads the token; the workbench puts it on each call it passes to a service.
The cookie is SameSite=Strict and every write through the proxy needs a header a plain form
cannot set, so another site cannot write in the worker's name.
"""

from __future__ import annotations

from fastapi import Request, Response
from shegong_runtime import auth
from shegong_runtime.auth import Principal, Unauthenticated
from shegong_runtime.settings import Settings

from shegong_workbench import config
from shegong_workbench.users import User

COOKIE = "workbench_session"
WRITE_HEADER = "X-Workbench"  # sent by the workbench's own script on every proxied write


def issue(settings: Settings, user: User) -> str:
    return auth.issue(
        settings,
        user.username,
        user.role,
        user.stations,
        user.district,
        ttl_s=config.settings().session_hours * 3600,
    )


def keep(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=config.settings().secure_cookie,
        path="/",
        max_age=config.settings().session_hours * 3600,
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def token_of(request: Request) -> str:
    token = request.cookies.get(COOKIE)
    if not token:
        raise Unauthenticated("请先登录")
    return token


def current(request: Request) -> tuple[Principal, str]:
    """The worker and their token; 401 when not signed in or the session ran out."""
    token = token_of(request)
    return auth.verify(request.app.state.settings, token), token

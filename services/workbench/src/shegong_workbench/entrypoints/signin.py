"""Signing in and out: a username and password against the workbench's users, a JWT in return."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from shegong_runtime import logging
from shegong_runtime.service import runtime

from shegong_workbench import session, users, web

router = APIRouter(include_in_schema=False)
log = logging.get("workbench.signin")


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an address elsewhere (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/signin")
async def signin_page(request: Request, next: str | None = None) -> Response:
    return web.page("signin.html", next=safe_next(next), error=None, username="")


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    username, password = form.get("username", "").strip(), form.get("password", "")
    target = safe_next(form.get("next"))
    user = (
        await users.authenticate(runtime(request).pool, username, password)
        if username and password
        else None
    )
    if user is None:
        log.info("signin.refused")  # no username: it may be someone's name
        return web.page(
            "signin.html", 401, next=target, error="用户名或密码不正确", username=username
        )
    token = session.issue(request.app.state.settings, user)
    response = RedirectResponse(target, status_code=303)
    session.keep(response, token)
    log.info("signin.ok", role=str(user.role))
    return response


@router.post("/signout")
async def signout() -> Response:
    response = RedirectResponse("/signin", status_code=303)
    session.forget(response)
    return response

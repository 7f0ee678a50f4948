"""Signing in and out, and changing one's own password.

Every try is checked against the throttle first (per account, per address), then the password;
each outcome is audited. A wrong password and an unknown username are refused alike.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from shegong_runtime.auth import Unauthenticated
from shegong_runtime.service import runtime

from shegong_workbench import audit, session, throttle, users, web

router = APIRouter(include_in_schema=False)
MIN_PASSWORD = 10


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an address elsewhere (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


async def form_of(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def keys_of(request: Request, username: str) -> throttle.Keys:
    address = request.client.host if request.client else "unknown"
    return throttle.keys(request.app.state.settings.jwt_secret, username, address)


@router.get("/signin")
async def signin_page(request: Request, next: str | None = None) -> Response:
    return web.page("signin.html", next=safe_next(next), error=None, username="")


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await form_of(request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    target = safe_next(form.get("next"))
    pool = runtime(request).pool
    k = keys_of(request, username)

    def refused(message: str, status: int, **headers: str) -> Response:
        page = web.page("signin.html", status, next=target, error=message, username=username[:50])
        page.headers.update(headers)
        return page

    known = await users.find(pool, username) if username else None
    account = known.username if known else None
    try:
        await throttle.check(pool, k)
    except throttle.AccountLocked as exc:
        await audit.record(pool, "signin.locked", username=account, address=k.address)
        return refused(str(exc), exc.status)
    except throttle.TooManyTries as exc:
        await audit.record(pool, "signin.throttled", username=account, address=k.address)
        return refused(str(exc), exc.status, **{"Retry-After": str(exc.wait_s)})
    user = await users.authenticate(pool, username, password) if username and password else None
    if user is None:
        just_locked = await throttle.failed(pool, k)
        await audit.record(pool, "signin.refused", username=account, address=k.address)
        if just_locked and account:
            await audit.record(pool, "account.locked", username=account, address=k.address)
        return refused("用户名或密码不正确", 401)
    await throttle.succeeded(pool, k)
    value = await session.start(pool, user)
    await audit.record(pool, "signin.ok", username=user.username, address=k.address)
    response = RedirectResponse(target, status_code=303)
    session.keep(response, value)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    pool = runtime(request).pool
    try:
        who = (await session.signed(request)).principal
        await audit.record(pool, "signout", username=who.subject)
    except Unauthenticated:
        pass
    await session.end(pool, request.cookies.get(session.COOKIE))
    response = RedirectResponse("/signin", status_code=303)
    session.forget(response)
    return response


def password_problem(username: str, new: str, repeated: str) -> str | None:
    if len(new) < MIN_PASSWORD:
        return f"新密码至少 {MIN_PASSWORD} 位"
    if len(new) > 200:
        return "新密码不能超过 200 位"
    if new != repeated:
        return "两次输入的新密码不一致"
    if username.lower() in new.lower():
        return "新密码不能包含用户名"
    return None


@router.get("/password")
async def password_page(request: Request) -> Response:
    try:
        me = await session.signed(request)
    except Unauthenticated:
        return RedirectResponse("/signin?next=/password", status_code=303)
    return web.page("password.html", who=me.principal, me=me, error=None, done=False)


@router.post("/password")
async def change_password(request: Request) -> Response:
    """The owner changes it: the current one is asked again; every session of theirs ends."""
    try:
        me = await session.signed(request)
    except Unauthenticated:
        return RedirectResponse("/signin?next=/password", status_code=303)
    form = await form_of(request)
    pool = runtime(request).pool
    username = me.principal.subject
    k = keys_of(request, username)
    try:
        await throttle.check(pool, k)
    except (throttle.AccountLocked, throttle.TooManyTries) as exc:
        return web.page("password.html", exc.status, who=me.principal, me=me, error=str(exc))
    if await users.authenticate(pool, username, form.get("current", "")) is None:
        await throttle.failed(pool, k)
        await audit.record(pool, "password.change_refused", username=username, address=k.address)
        return web.page(
            "password.html", 401, who=me.principal, me=me, error="当前密码不正确", done=False
        )
    if problem := password_problem(username, form.get("new", ""), form.get("repeat", "")):
        return web.page("password.html", 422, who=me.principal, me=me, error=problem, done=False)
    async with pool.acquire() as conn, conn.transaction():
        await users.set_password(conn, username, form["new"])
        await session.end_all(conn, username)
        await audit.record(conn, "password.changed", username=username, address=k.address)
    response = web.page("message.html", title="密码已修改", text="请用新密码重新登录。", who=None)
    session.forget(response)
    return response

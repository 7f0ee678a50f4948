"""What a station lead (or the city's admin) does for colleagues: lift a sign-in lock, reset a
password, and discard the queue a departed worker left on a shared phone. Each is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from shegong_events.ids import USERNAME
from shegong_runtime.auth import Principal, Role, Unauthenticated
from shegong_runtime.errors import Forbidden, NotFound
from shegong_runtime.service import runtime

from shegong_workbench import audit, session, throttle, users, web
from shegong_workbench.entrypoints.signin import form_of, password_problem

router = APIRouter(include_in_schema=False)
LEADS = (Role.station_lead, Role.city_admin)
Username = Annotated[str, Path(pattern=USERNAME)]


async def lead_of(request: Request) -> Principal:
    me = await session.signed(request)
    me.principal.require_role(LEADS)
    web.signed_name.set(me.display_name)
    return me.principal


async def managed(request: Request, who: Principal, username: str) -> users.User:
    user = await users.find(runtime(request).pool, username)
    if user is None:
        raise NotFound(f"没有工作台用户 {username!r}")
    if not users.may_manage(who.role, who.stations, user):
        raise Forbidden(f"{who.subject} 不负责管理 {username}")
    return user


async def staff_page(request: Request, who: Principal, note: str | None, status: int = 200):
    pool = runtime(request).pool
    mine = [u for u in await users.everyone(pool) if users.may_manage(who.role, who.stations, u)]
    secret = request.app.state.settings.jwt_secret
    locked = await throttle.locked(pool, secret, [u.username for u in mine])
    return web.page("staff.html", status, who=who, rows=mine, locked=locked, note=note)


@router.get("/staff")
async def staff(request: Request) -> Response:
    try:
        who = await lead_of(request)
    except Unauthenticated:
        return RedirectResponse("/signin?next=/staff", status_code=303)
    return await staff_page(request, who, None)


@router.post("/staff/{username}/unlock")
async def unlock(username: Username, request: Request) -> Response:
    who = await lead_of(request)
    user = await managed(request, who, username)
    pool = runtime(request).pool
    if await throttle.lift(pool, request.app.state.settings.jwt_secret, user.username):
        await audit.record(pool, "lock.lifted", username=user.username, actor=who.subject)
    return await staff_page(request, who, f"已解除 {user.display_name} 的登录锁定")


@router.post("/staff/{username}/password")
async def reset_password(username: Username, request: Request) -> Response:
    """A lead sets a new password for a colleague; the colleague's sessions end, any lock lifts."""
    who = await lead_of(request)
    user = await managed(request, who, username)
    form = await form_of(request)
    if problem := password_problem(user.username, form.get("new", ""), form.get("repeat", "")):
        return await staff_page(request, who, problem, 422)
    pool = runtime(request).pool
    async with pool.acquire() as conn, conn.transaction():
        await users.set_password(conn, user.username, form["new"])
        await session.end_all(conn, user.username)
        await audit.record(conn, "password.reset", username=user.username, actor=who.subject)
    await throttle.lift(pool, request.app.state.settings.jwt_secret, user.username)
    return await staff_page(request, who, f"已为 {user.display_name} 设置新密码")


class Discard(BaseModel):
    """A departed worker's waiting commands, by count only: their content never leaves the phone."""

    model_config = ConfigDict(extra="forbid")

    author: str | None = Field(default=None, pattern=USERNAME)  # None: queued before authors
    count: int = Field(ge=1, le=10_000)


@router.post("/queue/discards")
async def discard_queue(body: Discard, request: Request) -> Response:
    """Recorded before the phone deletes anything: the page deletes only after this answers."""
    if request.headers.get(session.WRITE_HEADER) != "1":
        raise Forbidden(f"丢弃队列须带 {session.WRITE_HEADER} 请求头")
    who = await lead_of(request)
    author = await users.find(runtime(request).pool, body.author) if body.author else None
    if author is not None and not users.may_manage(who.role, who.stations, author):
        raise Forbidden(f"{who.subject} 不负责管理 {body.author}")
    await audit.record(
        runtime(request).pool,
        "queue.discarded",
        username=body.author,
        actor=who.subject,
        count=body.count,
    )
    return JSONResponse({"author": body.author, "discarded": body.count})

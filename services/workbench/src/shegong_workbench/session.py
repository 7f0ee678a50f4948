"""The signed-in worker: a session kept on the server, named by an HttpOnly cookie.

The cookie holds a random session id, never a token: the row behind it says who signed in, when,
and when they were last seen, so a session ends on its own after `idle_minutes` without use or
`session_hours` after the sign-in, whichever comes first, and ends for good at sign-out, at a
password change or reset. The services' JWT is made per call from the row, for a few minutes, and
never reaches the browser. The cookie is SameSite=Strict and every write through the proxy needs
a header a plain form cannot set, so another site cannot write in the worker's name.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from fastapi import Request, Response
from shegong_runtime import auth
from shegong_runtime.auth import Principal, Role, Unauthenticated
from shegong_runtime.service import runtime

from shegong_workbench import config
from shegong_workbench.users import SCHEMA, User

COOKIE = "workbench_session"
WRITE_HEADER = "X-Workbench"  # sent by the workbench's own script on every proxied write
TOKEN_TTL_S = 300  # the JWT a call to a service carries: minutes, not the session's hours
SEEN_EVERY = timedelta(seconds=30)  # `seen_at` is written at most this often per session

DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.sessions (
    id_hash      text PRIMARY KEY,          -- sha256 of the cookie's value; the value is not kept
    username     text NOT NULL,
    display_name text NOT NULL,
    role         text NOT NULL,
    stations     text[] NOT NULL DEFAULT '{{}}',
    district     text,
    started_at   timestamptz NOT NULL DEFAULT now(),
    seen_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON {SCHEMA}.sessions (username);
"""


@dataclass(frozen=True)
class Signed:
    """Who is at the keyboard, as the session row says."""

    principal: Principal
    display_name: str
    started_at: datetime


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    s = config.settings()
    return timedelta(minutes=s.idle_minutes), timedelta(hours=s.session_hours)


async def start(pool: asyncpg.Pool, user: User) -> str:
    """A new session for the user; the cookie's value (shown only here)."""
    value = secrets.token_urlsafe(32)
    await pool.execute(
        f"INSERT INTO {SCHEMA}.sessions (id_hash, username, display_name, role, stations, district)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        _hash(value),
        user.username,
        user.display_name,
        str(user.role),
        list(user.stations),
        user.district,
    )
    return value


async def end(pool: asyncpg.Pool, value: str | None) -> None:
    if value:
        await pool.execute(f"DELETE FROM {SCHEMA}.sessions WHERE id_hash = $1", _hash(value))


async def end_all(conn: asyncpg.Connection | asyncpg.Pool, username: str) -> None:
    """Every session of a user (a password changed or reset, a lockout)."""
    await conn.execute(f"DELETE FROM {SCHEMA}.sessions WHERE username = $1", username)


async def find(pool: asyncpg.Pool, value: str) -> Signed:
    """The session behind a cookie, still within its idle and absolute limits; else 401."""
    row = await pool.fetchrow(f"SELECT * FROM {SCHEMA}.sessions WHERE id_hash = $1", _hash(value))
    if row is None:
        raise Unauthenticated("请先登录")
    idle, absolute = _limits()
    now = datetime.now(UTC)
    if now - row["seen_at"] > idle or now - row["started_at"] > absolute:
        await pool.execute(f"DELETE FROM {SCHEMA}.sessions WHERE id_hash = $1", row["id_hash"])
        raise Unauthenticated("登录已过期，请重新登录")
    if now - row["seen_at"] > SEEN_EVERY:
        await pool.execute(
            f"UPDATE {SCHEMA}.sessions SET seen_at = now() WHERE id_hash = $1", row["id_hash"]
        )
    who = Principal(row["username"], Role(row["role"]), frozenset(row["stations"]), row["district"])
    return Signed(who, row["display_name"], row["started_at"])


def keep(response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="strict",
        secure=config.settings().secure_cookie,
        path="/",
        max_age=config.settings().session_hours * 3600,
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


async def signed(request: Request) -> Signed:
    value = request.cookies.get(COOKIE)
    if not value:
        raise Unauthenticated("请先登录")
    return await find(runtime(request).pool, value)


def token_for(request: Request, who: Principal) -> str:
    """The services' JWT for one call, in the session's name (its subject is the actor)."""
    return auth.issue(
        request.app.state.settings,
        who.subject,
        who.role,
        who.stations,
        who.district,
        ttl_s=TOKEN_TTL_S,
    )


async def current(request: Request) -> tuple[Principal, str]:
    """The worker and a token for the services; 401 when not signed in or the session ran out."""
    who = (await signed(request)).principal
    return who, token_for(request, who)

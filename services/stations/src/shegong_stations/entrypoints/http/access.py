"""Who is asking, and which stations they may see.

The JSON API and the dashboard take the bearer header only. People open the dashboard through
the station workbench, whose sign-in session adds the header for them; a token is never taken
from an address (`?token=`), where browser history, proxy logs and Referer headers keep it.
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
from shegong_runtime.errors import DomainError, Forbidden

TOKEN_IN_ADDRESS = (
    "不接受地址中的 ?token=：写在地址里的登录凭证会留在浏览器历史、日志和 Referer 请求头里。"
    "请先登录社工站工作台，再从工作台打开看板；或在 Authorization: Bearer 请求头中发送登录凭证。"
)
VIEWERS = READERS | {Role.operator}
reader = requires(*VIEWERS)
"""FastAPI dependency of the JSON API: any reading role, bearer header only."""


class TokenInAddress(DomainError):
    """A token in the query string: refused before it is even read."""

    status = 400

    def __init__(self) -> None:
        super().__init__(TOKEN_IN_ADDRESS, field="token")


def from_page(request: Request) -> Principal:
    """The dashboard's caller, from the bearer header (the workbench adds it)."""
    if "token" in request.query_params:
        raise TokenInAddress()
    token = bearer_token(request)
    if not token:
        raise Unauthenticated("缺少登录凭证：请从社工站工作台打开看板")
    return caller(request, token)


def require_city(who: Principal) -> None:
    if not who.citywide:
        raise Forbidden(f"角色 {who.role} 无权查看全市")

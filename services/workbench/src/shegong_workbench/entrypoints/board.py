"""The stations dashboard and roundup (看板, 一周掠影), reached through the workbench's session.

The stations service renders them for a bearer token; the browser never holds one. Here the
signed-in worker's session makes the token for each call, so no token is ever in an address,
a browser's history, a log or a Referer. Not signed in: to the sign-in page, then back.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from shegong_runtime import logging
from shegong_runtime.auth import Unauthenticated

from shegong_workbench import session, web
from shegong_workbench.upstream import Upstreams

router = APIRouter(include_in_schema=False)
log = logging.get("workbench.board")
SHOWN = ("content-type", "content-disposition", "cache-control")


@router.get("/dashboard")
@router.get("/dashboard/{path:path}")
async def board(request: Request, path: str = "") -> Response:
    try:
        me = await session.signed(request)
    except Unauthenticated:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(back)}", status_code=303)
    upstreams: Upstreams = request.app.state.upstreams
    token = session.token_for(request, me.principal)
    try:
        answer = await upstreams.client("stations").get(
            "/dashboard" + (f"/{path}" if path else ""),
            params=list(request.query_params.multi_items()),
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        log.warning("board.unreachable", error=type(exc).__name__)
        web.signed_name.set(me.display_name)
        return web.message("看板暂时无法连接", "请稍后再试。", 502, me.principal)
    shown = {k: v for k, v in answer.headers.items() if k.lower() in SHOWN}
    return Response(answer.content, status_code=answer.status_code, headers=shown)

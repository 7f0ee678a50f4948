"""The browser's one door to the services: `/api/<service>/<path>` with the worker's token.

Same origin, so the page (and its offline queue) needs no CORS and never holds the token. The
answer of the service comes back as it is (status, body, Idempotent-Replayed), so a 409 with
the current version reaches the queue untouched. A service that does not answer is 502: the
queue keeps the command and tries again.

A write names the worker who made it (`X-Workbench-Author`, recorded when it was queued) and is
refused unless that is who is signed in now: on a shared phone a colleague's queued command is
never sent under another session. The token the proxy adds is made from the session, so the
actor the service records is the session's subject whatever the page sends.
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from shegong_runtime import logging
from shegong_runtime.errors import Forbidden, NotFound

from shegong_workbench import session
from shegong_workbench.upstream import FORWARDED, RETURNED, UnknownUpstream, Upstreams

router = APIRouter(prefix="/api", include_in_schema=False)
AUTHOR_HEADER = "X-Workbench-Author"  # who queued the command (static/app.js)
log = logging.get("workbench.proxy")


@router.api_route("/{service}/{path:path}", methods=["GET", "POST"])
async def proxy(service: str, path: str, request: Request) -> Response:
    who, token = await session.current(request)
    if request.method == "POST":
        if request.headers.get(session.WRITE_HEADER) != "1":
            raise Forbidden(f"经工作台提交须带 {session.WRITE_HEADER} 请求头")
        author = request.headers.get(AUTHOR_HEADER)
        if author != who.subject:
            log.info("proxy.not_the_author")  # no names: the count of such refusals is enough
            return JSONResponse(
                {
                    "error": "NotTheAuthor",
                    "message": "这条记录由其他人员保存，须由本人登录后发送",
                    "author": author,
                    "signed_in": who.subject,
                },
                status_code=403,
            )
    upstreams: Upstreams = request.app.state.upstreams
    try:
        client = upstreams.client(service)
    except UnknownUpstream:
        raise NotFound(f"工作台没有接入服务 {service!r}") from None
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
    headers["Authorization"] = f"Bearer {token}"
    try:
        answer = await client.request(
            request.method,
            "/" + path,
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,
        )
    except httpx.HTTPError as exc:
        log.warning("proxy.unreachable", service=service, error=type(exc).__name__)
        return JSONResponse(
            {"error": "upstream_unreachable", "message": f"{service} 暂时无法连接"}, status_code=502
        )
    back = {k: v for k, v in answer.headers.items() if k.lower() in RETURNED}
    return Response(answer.content, status_code=answer.status_code, headers=back)

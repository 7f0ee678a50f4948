"""Limits checked before anything is parsed: body size, Idempotency-Key, query and path text.

A pure ASGI middleware, so a 20 MB body is refused while it arrives (413), never parsed, and
an Idempotency-Key that cannot be an index key is a 400 before any handler runs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shegong_runtime.inputs import TEXT_CEILING
from shegong_runtime.problems import problem

IDEMPOTENCY_KEY = re.compile(r"^(?=.*[\x21-\x7e])[\x20-\x7e]{1,200}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_QUERY_PARAMETERS = 50
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UPLOADS = (
    "/ledger/",
    "/api/visits/ledger/",
)  # paths taking a file (an Excel ledger); the second through the workbench


def _query_refusal(scope: Scope) -> JSONResponse | None:
    raw: bytes = scope.get("query_string", b"")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return problem(422, "invalid_encoding", "查询参数不是 UTF-8 编码", instance=scope["path"])
    if len(pairs) > MAX_QUERY_PARAMETERS:
        return problem(422, "too_many_parameters", f"查询参数最多 {MAX_QUERY_PARAMETERS} 个")
    for name, value in pairs:
        if CONTROL.search(name) or CONTROL.search(value):
            rule, message = "control_character", "文字中不能有 NUL 或其他控制字符"
        elif len(value) > TEXT_CEILING:
            rule, message = "text_too_long", f"最多 {TEXT_CEILING} 个字符"
        else:
            continue
        field = CONTROL.sub("?", name)
        return problem(
            422,
            rule,
            f"{field}: {message}",
            instance=scope["path"],
            errors=[{"field": field, "rule": rule, "message": message}],
        )
    return None


def _refusal(scope: Scope, max_body: int) -> JSONResponse | None:
    """The problem to answer before the app sees the request, or None."""
    path: str = scope["path"]
    if CONTROL.search(path):
        message = "地址路径中不能有 NUL 或其他控制字符"
        return problem(
            422,
            "control_character",
            message,
            errors=[{"field": "path", "rule": "control_character", "message": message}],
        )
    headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
    key = headers.get("idempotency-key")
    if key is not None and not IDEMPOTENCY_KEY.match(key.decode("latin-1")):
        message = "Idempotency-Key 须为 1 到 200 个可打印的 ASCII 字符"
        return problem(
            400,
            "idempotency_key_invalid",
            message,
            instance=path,
            errors=[
                {"field": "Idempotency-Key", "rule": "idempotency_key_invalid", "message": message}
            ],
        )
    declared = headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_body):
        return _too_large(path, max_body)
    return _query_refusal(scope)


def _too_large(path: str, max_body: int) -> JSONResponse:
    return problem(413, "body_too_large", f"请求体最多 {max_body} 字节", instance=path)


class Limits:
    """ASGI middleware: refuses what breaks a limit, then hands the app a body it has read."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max(max_upload_bytes or max_body_bytes, max_body_bytes)

    def limit(self, path: str) -> int:
        return self.max_upload if path.startswith(UPLOADS) else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_body = self.limit(scope["path"])
        if (refused := _refusal(scope, max_body)) is not None:
            await refused(scope, receive, send)
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > max_body:
                await _too_large(scope["path"], max_body)(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

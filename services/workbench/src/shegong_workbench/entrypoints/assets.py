"""The script, styles and service worker, served by the app itself (no CDN)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)
STATIC = files("shegong_workbench") / "static"
static = StaticFiles(directory=str(STATIC))


@router.get("/sw.js")
async def service_worker() -> Response:
    """At the root, so its scope is the whole workbench; never cached by HTTP, so updates land."""
    return Response(
        (STATIC / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )

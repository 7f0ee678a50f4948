"""The script, styles, icons, manifest and service worker, served by the app itself (no CDN).

The service worker's caches are named after the build: a digest of the static files and the
templates (the offline page is one), so a release that changes any of them starts new caches
and the old ones are deleted when the new worker takes over; nobody bumps a version by hand.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)
PACKAGE = files("shegong_workbench")
STATIC = PACKAGE / "static"
static = StaticFiles(directory=str(STATIC))
BUILD_MARK = "__BUILD__"  # in sw.js, replaced by the build's digest when served


@cache
def build() -> str:
    """A digest of everything the phone keeps: the static files and the page templates."""
    digest = hashlib.sha256()
    for folder in (STATIC, PACKAGE / "templates"):
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.is_file():
                digest.update(item.name.encode())
                digest.update(item.read_bytes())
    return digest.hexdigest()[:12]


MANIFEST = {
    "name": "社工站工作台",
    "short_name": "社工站",
    "description": "乡镇（街道）社工站的走访、需求、会议与志愿服务记录",
    "lang": "zh-CN",
    "start_url": "/",
    "scope": "/",
    "id": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0b5394",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icon-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ],
}


@router.get("/manifest.webmanifest")
async def manifest() -> Response:
    return JSONResponse(MANIFEST, media_type="application/manifest+json")


@router.get("/sw.js")
async def service_worker() -> Response:
    """At the root, so its scope is the whole workbench; never cached by HTTP, so updates land."""
    script = (STATIC / "sw.js").read_text("utf-8").replace(BUILD_MARK, build())
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )

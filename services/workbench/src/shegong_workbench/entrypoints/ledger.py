"""台账 in the workbench: the household ledger's template, its dry run and import with their
progress, and the downloads the worker's role may take. One page; the file goes to the visits
service through the same-origin proxy, as every form does."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from shegong_runtime import pipl
from shegong_runtime.auth import Principal
from shegong_runtime.service import runtime

from shegong_workbench import stations, web
from shegong_workbench.entrypoints.pages import shown
from shegong_workbench.upstream import Upstreams

router = APIRouter(include_in_schema=False)


@router.get("/ledger")
async def ledger_page(request: Request, month: str = "2024-03") -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        return web.page(
            "ledger.html",
            who=who,
            stations=await stations.visible(runtime(request), who),
            may_export=who.role in pipl.ERASERS,  # an export of names needs its own right
            month=month if len(month) == 7 else "2024-03",
        )

    return await shown(request, build)

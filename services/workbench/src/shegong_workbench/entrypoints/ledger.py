"""台账 in the workbench: the household ledger's template, its dry run and import with their
progress, and the downloads the worker's role may take. One page; the file goes to the visits
service through the same-origin proxy, as every form does."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from shegong_events import calendar
from shegong_runtime.auth import MANAGERS, Principal
from shegong_runtime.service import runtime

from shegong_workbench import stations, web
from shegong_workbench.entrypoints.pages import shown
from shegong_workbench.upstream import Upstreams

router = APIRouter(include_in_schema=False)


def last_month() -> str:
    """The month a monthly report is usually asked for: the one just ended (China time)."""
    first = calendar.today().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@router.get("/ledger")
async def ledger_page(request: Request, month: str | None = None) -> Response:
    async def build(who: Principal, token: str, up: Upstreams) -> Response:
        return web.page(
            "ledger.html",
            who=who,
            stations=await stations.visible(runtime(request), who),
            may_export=who.role in MANAGERS,  # an export of names needs its own right
            month=month if month and re.fullmatch(r"\d{4}-\d{2}", month) else last_month(),
        )

    return await shown(request, build)

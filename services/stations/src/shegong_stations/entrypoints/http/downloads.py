"""The dashboard's downloads (报表下载): the monthly statistics report and the board's ledgers
of every scope the caller reads, as links that carry the dashboard's sign-in cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from shegong_runtime.auth import Principal
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import runtime

from shegong_stations.entrypoints.http import reports
from shegong_stations.entrypoints.http.dashboard import render, who_label
from shegong_stations.entrypoints.http.scope import roundup_choices
from shegong_stations.periods import today
from shegong_stations.queries import directory
from shegong_stations.reports import ledgers
from shegong_stations.web import pages
from shegong_stations.web.templating import render as render_template

router = APIRouter(prefix="/dashboard/downloads", include_in_schema=False)
LEDGER_LABELS = [
    (kind, ledger.title.removesuffix("台账") or ledger.title)
    for kind, ledger in ledgers.LEDGERS.items()
]


@dataclass(frozen=True)
class Scope:
    name: str
    query: str  # "&district=chengguan", "&station_id=..." or "" for the city


def scopes(who: Principal, everyone: list[directory.Station]) -> list[Scope]:
    out = [
        Scope(label, f"&{urlencode({'district': d})}" if d else "")
        for d, label in roundup_choices(who, everyone)
    ]
    out += [
        Scope(st.name, f"&{urlencode({'station_id': st.station_id})}")
        for st in directory.visible(who, everyone)
    ]
    return out


@router.get("")
async def downloads_page(request: Request, month: str | None = None) -> Response:
    async def build(who: Principal) -> str:
        chosen = month or today().strftime("%Y-%m")
        reports.first_day(chosen)  # a month that is no month is a 422 page
        everyone = await directory.stations(runtime(request).pool)
        return render_template(
            "downloads.html.j2",
            title="报表下载",
            nav=pages.nav(who_label(who)),
            month=chosen,
            scopes=scopes(who, everyone),
            ledgers=LEDGER_LABELS,
        )

    return await render(request, build)


@router.get("/monthly.{suffix}")
async def monthly_download(
    request: Request,
    suffix: Literal["xlsx", "docx"],
    month: reports.Month,
    station_id: Identifier | None = None,
    district: Identifier | None = None,
) -> Response:
    async def build(who: Principal) -> Response:
        return await reports.monthly_statistics(request, month, station_id, district, suffix, who)

    return await render(request, build)


@router.get("/ledgers/{kind}.xlsx")
async def ledger_download(
    request: Request,
    kind: reports.LedgerKind,
    month: reports.Month,
    station_id: Identifier | None = None,
    district: Identifier | None = None,
) -> Response:
    async def build(who: Principal) -> Response:
        span = reports.monthly.months(reports.first_day(month))[0]
        return await reports.ledger_export(
            request, kind, station_id, district, span.start, span.end, who
        )

    return await render(request, build)

"""The monthly statistics report (月度统计报表) over HTTP: JSON, Excel or Word, per station,
district or city, for whoever may read that scope."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from shegong_runtime.auth import Principal
from shegong_runtime.errors import DomainError
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.service import runtime

from shegong_stations.entrypoints.http import access, params
from shegong_stations.periods import month_of, today
from shegong_stations.queries import directory
from shegong_stations.reports import ledgers, monthly, monthly_docx, monthly_xlsx
from shegong_stations.reports.scope import report_scope
from shegong_stations.reports.views import monthly_report
from shegong_stations.views import snapshot

router = APIRouter(tags=["reports"])


class Xlsx(Response):
    media_type = ledgers.MEDIA_TYPE


class MonthlyRow(BaseModel):
    code: str = Field(examples=["visits.total"])
    section: str = Field(examples=["一、入户走访"])
    label: str = Field(examples=["入户走访及回访"])
    unit: str = Field(examples=["户次"])
    current: float = Field(description="本期")
    previous: float = Field(description="上期")
    change_percent: float | None = Field(description="环比: none when the previous month had none")
    flow: bool = Field(description="counted within the month (else a count at its end)")


class MonthlyAnswer(BaseModel):
    title: str = Field(examples=["兰州市社会工作月度统计报表"])
    scope: str
    period: str = Field(examples=["2024年3月"])
    start: date
    end: date
    previous_start: date
    previous_end: date
    rows: list[MonthlyRow]
    figures: dict[str, float] = Field(description="every figure of the month by indicator code")


Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2024-03"])]


class MonthOutOfRange(DomainError):
    """A monthly report covers a month between 1900 and 2100."""


def first_day(month: str) -> date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise MonthOutOfRange(f"月份 {month!r} 应写作 2024-03 的格式", field="month")
    year, number = (int(p) for p in month.split("-"))
    if not 1900 <= year <= 2100:
        raise MonthOutOfRange(f"月份 {month} 不在 1900–2100 年之间", field="month")
    return date(year, number, 1)


def as_json(r: monthly.MonthlyReport) -> dict:
    return {
        "title": r.title,
        "scope": r.scope,
        "period": r.period,
        "start": r.month.start,
        "end": r.month.end,
        "previous_start": r.previous_month.start,
        "previous_end": r.previous_month.end,
        "rows": [
            {
                "code": row.indicator.code,
                "section": row.indicator.section,
                "label": row.indicator.label.strip("　"),
                "unit": row.indicator.unit,
                "current": monthly.shown(row.current),
                "previous": monthly.shown(row.previous),
                "change_percent": row.change,
                "flow": row.indicator.flow,
            }
            for row in r.rows
        ],
        "figures": {k: monthly.shown(v) for k, v in sorted(r.current.items())},
    }


@router.get(
    "/reports/monthly",
    response_model=MonthlyAnswer,
    responses={
        200: {
            "description": "the report as `format` asks: JSON, an Excel workbook or a Word document",
            "content": {
                monthly_xlsx.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
                monthly_docx.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def monthly_statistics(
    request: Request,
    month: Month,
    station_id: Identifier | None = None,
    district: Identifier | None = None,
    format: Literal["json", "xlsx", "docx"] = "json",
    who: Principal = Depends(access.reader),
):
    """The month's figures beside the previous month (上期) and the change (环比); a station,
    a district, or (no scope given) the whole city."""
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    name, chosen = report_scope(who, everyone, station_id, district)
    this, before = monthly.months(first_day(month))
    r = await monthly_report(pool, name, chosen, this, before)
    if format == "json":
        return as_json(r)
    body, media, suffix = (
        (monthly_xlsx.xlsx(r), monthly_xlsx.MEDIA_TYPE, "xlsx")
        if format == "xlsx"
        else (monthly_docx.docx(r), monthly_docx.MEDIA_TYPE, "docx")
    )
    filename = quote(f"{r.title}（{r.period}）.{suffix}")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


LedgerKind = Literal["visits", "needs", "meetings", "organisations", "volunteer_hours"]


@router.get(
    "/reports/ledgers/{kind}",
    response_class=Xlsx,
    responses={
        200: {"content": {ledgers.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def ledger_export(
    request: Request,
    kind: LedgerKind,
    station_id: Identifier | None = None,
    district: Identifier | None = None,
    start: Day | None = Query(default=None, description="first day (default: the month of end)"),
    end: Day | None = Query(default=None, description="last day (default: today)"),
    who: Principal = Depends(access.reader),
):
    """A ledger of the board (走访, 需求与转介, 会议活动, 社区社会组织, 志愿服务时长) of a
    station, a district or the city over a period, as an Excel workbook."""
    pool = runtime(request).pool
    everyone = await directory.stations(pool)
    name, chosen = report_scope(who, everyone, station_id, district)
    span = params.span(start or month_of(end or today()).start, end or today(), 366)
    ledger = ledgers.LEDGERS[kind]
    async with snapshot(pool) as (conn, s):
        found = await ledgers.rows(conn, s, ledger, [st.station_id for st in chosen], span)
    names = {st.station_id: st.name for st in everyone}
    content = ledgers.workbook(ledger, name, span, found, names)
    filename = quote(f"{name}{ledger.title}（{span.start}至{span.end}）.xlsx")
    return Response(
        content,
        media_type=ledgers.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )

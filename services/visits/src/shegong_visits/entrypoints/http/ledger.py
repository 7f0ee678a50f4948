"""The household ledger in Excel over HTTP: the template, the export, the dry run, the import
and its progress. Files travel as the raw request or response body (`.xlsx`)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from shegong_runtime import paging, pipl
from shegong_runtime.auth import WRITERS, Principal, requires
from shegong_runtime.errors import NotFound
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.problems import problem
from shegong_runtime.service import runtime

from shegong_visits import views
from shegong_visits.entrypoints.http.answers import (
    DryRunReport,
    ImportProgress,
    ImportStarted,
)
from shegong_visits.ledger import dry_run, export, launch, template, workbook

router = APIRouter(prefix="/ledger", tags=["ledger (台账)"])


class Xlsx(Response):
    media_type = workbook.MEDIA_TYPE


XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {workbook.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}
UPLOAD = {  # the .xlsx file as the raw body; octet-stream, as any client (and schemathesis) sends bytes
    "requestBody": {
        "required": True,
        "description": "the ledger, an Excel workbook (.xlsx)",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
EXPORTERS = pipl.ERASERS  # station leads and bureaus: an export of names needs its own right


class ImportNotFound(NotFound):
    """No import with this id at a station the caller sees."""


def attachment(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=workbook.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get("/households/template", response_class=Xlsx, responses=XLSX)
async def households_template(who: Principal = Depends(requires(*WRITERS))):
    """The blank ledger: Chinese headers, the allowed values, what each column takes."""
    return attachment(template.template(), "家庭台账模板.xlsx")


@router.get("/households", response_class=Xlsx, responses=XLSX)
async def households_export(
    request: Request,
    station_id: Identifier | None = None,
    since: Day | None = None,
    until: Day | None = None,
    who: Principal = Depends(requires(*EXPORTERS)),
):
    """The household ledger of a station (or every station the caller sees), registered
    between `since` and `until`; numbers masked for bureaus; each person read is audited."""
    rt = runtime(request)
    stations = await rt.stations.scope(who, station_id)
    found = await views.every_household(rt, stations)
    content = await export.households(rt, who, found, since, until)
    name = station_id or who.district or "全部"
    return attachment(content, f"家庭台账-{name}-{date.today().isoformat()}.xlsx")


@router.post("/households/dry-run", response_model=DryRunReport, openapi_extra=UPLOAD)
async def households_dry_run(
    request: Request,
    station_id: Identifier | None = None,
    who: Principal = Depends(requires(*WRITERS)),
):
    """Every row checked, nothing written: row, column, rule and a Chinese message per problem."""
    report = await launch.check(runtime(request), who, await request.body(), station_id)
    return report.as_json()


@router.post(
    "/households/imports", status_code=201, response_model=ImportStarted, openapi_extra=UPLOAD
)
async def households_import(
    request: Request,
    station_id: Identifier,
    who: Principal = Depends(requires(*WRITERS)),
):
    """Checks the whole file first (422 with the dry run's report, nothing written), then
    imports row by row in the background; the answer names the import to follow."""
    rt, content, correlation = runtime(request), await request.body(), request.state.correlation_id
    return _started(request, await launch.start(rt, who, station_id, content, correlation))


def _started(request: Request, outcome: launch.Started | dry_run.Report) -> JSONResponse:
    if isinstance(outcome, dry_run.Report):
        return problem(
            422,
            "ledger_invalid",
            f"台账有{outcome.problem_count}处问题，未导入任何一行",
            instance=request.url.path,
            report=outcome.as_json(),
        )
    return JSONResponse(
        {
            "import_id": outcome.import_id,
            "station_id": outcome.station_id,
            "rows": outcome.rows,
            "file_hash": outcome.file_hash,
            "status": "running",
        },
        status_code=201,  # the import (its audit row) is created; it runs on in the background
        headers={"Location": f"/ledger/households/imports/{outcome.import_id}"},
    )


def _progress(r) -> dict:
    out = dict(r)
    out["percent"] = round(100 * r["rows_done"] / r["rows_total"], 1) if r["rows_total"] else 100.0
    return out


@router.get("/households/imports/{import_id}", response_model=ImportProgress)
async def households_import_progress(
    request: Request, import_id: Identifier, who: Principal = Depends(requires(*WRITERS))
):
    """How far an import has come: rows done of rows, added, repeated, already there."""
    rt = runtime(request)
    s = rt.events.schema
    r = await rt.pool.fetchrow(f"SELECT * FROM {s}.ledger_imports WHERE import_id = $1", import_id)
    await rt.stations.refresh()
    if r is None or not who.can_see(r["station_id"], rt.stations.district_of):
        raise ImportNotFound(f"没有导入记录 {import_id}")
    return _progress(r)


IMPORTS = paging.Keyset.of(
    "ledger_imports", "started_at:timestamptz", "import_id:text", descending=True
)


@router.get("/households/imports", responses={200: {"model": paging.Page[ImportProgress]}})
async def households_imports(
    request: Request,
    page: paging.Paging,
    station_id: Identifier | None = None,
    who: Principal = Depends(requires(*WRITERS)),
):
    """The import audit of the stations the caller sees, newest first (who, file hash, rows)."""
    rt = runtime(request)
    s = rt.events.schema
    stations = await rt.stations.scope(who, station_id)
    select = paging.Select(f"SELECT * FROM {s}.ledger_imports").within(stations)
    rows, after = await select.page(rt.pool, IMPORTS, page)
    return page.answer([_progress(dict(r)) for r in rows], after)

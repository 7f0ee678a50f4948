"""The household ledger in Excel over HTTP: the template, the export, the dry run, the import
and its progress. Files travel as the raw request or response body (`.xlsx`)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from shegong_events.ids import new_id
from shegong_runtime import paging, pipl
from shegong_runtime.auth import WRITERS, Principal, requires
from shegong_runtime.errors import DomainError, NotFound
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.problems import problem
from shegong_runtime.service import runtime

from shegong_visits import views
from shegong_visits.ledger import dry_run, export, importer, rows, template, workbook

router = APIRouter(prefix="/ledger", tags=["ledger (台账)"])


class Xlsx(Response):
    media_type = workbook.MEDIA_TYPE


class ProblemRow(BaseModel):
    row: int = Field(description="the worksheet's row number, as Excel shows it")
    column: str = Field(examples=["户主姓名"])
    rule: str = Field(examples=["required"])
    message: str = Field(examples=["必填，不能为空"])


class DryRunReport(BaseModel):
    rows: int
    valid: int
    existing: int = Field(description="rows naming a household the station has: skipped")
    problem_count: int
    problems: list[ProblemRow] = Field(description="the first 1,000 problems")
    clean: bool


class ImportProgress(BaseModel):
    import_id: str
    station_id: str
    actor: str
    actor_role: str
    file_hash: str = Field(description="HMAC-SHA256 of the file under the service's secret")
    file_bytes: int
    rows_total: int
    rows_done: int
    rows_added: int
    rows_repeated: int
    rows_existing: int
    status: Literal["running", "done", "failed"]
    failure: str | None
    started_at: datetime
    finished_at: datetime | None
    percent: float


class ImportStarted(BaseModel):
    import_id: str
    station_id: str
    rows: int
    file_hash: str
    status: Literal["running"]


XLSX = {200: {"content": {workbook.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
UPLOAD = {  # the .xlsx file as the raw body; octet-stream, as any client (and schemathesis) sends bytes
    "requestBody": {
        "required": True,
        "description": "the ledger, an Excel workbook (.xlsx)",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
EXPORTERS = pipl.ERASERS  # station leads and bureaus: an export of names needs its own right
RUNNING: set[asyncio.Task] = set()  # imports under way in this process (kept from the collector)


class NotAWorkbook(DomainError):
    """The body must be an Excel workbook (.xlsx) holding the household ledger."""

    status = 422


class ImportNotFound(NotFound):
    """No import with this id at a station the caller sees."""


def attachment(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=workbook.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


async def upload(request: Request) -> bytes:
    content = await request.body()
    if not content.startswith(b"PK"):
        raise NotAWorkbook("请求体应为 Excel 工作簿（.xlsx）", field="body")
    return content


async def checked(content: bytes, existing: set[str] | None = None) -> dry_run.Report:
    """The dry run in a worker thread: parsing 10,000 rows takes seconds of CPU that the event
    loop (every other request of this replica) should not wait through."""
    try:
        return await asyncio.to_thread(dry_run.dry_run, content, existing)
    except rows.NotALedger as exc:
        raise NotAWorkbook(str(exc), field="body") from None


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
    rt = runtime(request)
    content = await upload(request)
    existing = None
    if station_id is not None:
        await rt.stations.check_write(who, station_id)
        existing = await importer.existing_ids(rt, station_id)
    return (await checked(content, existing)).as_json()


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
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    content = await upload(request)
    report = await checked(content, await importer.existing_ids(rt, station_id))
    if not report.clean:
        return problem(
            422,
            "ledger_invalid",
            f"台账有{report.problem_count}处问题，未导入任何一行",
            instance=request.url.path,
            report=report.as_json(),
        )
    digest, import_id = importer.file_hash(rt, content), new_id("imp")
    s = rt.store.schema  # type: ignore[union-attr]
    await rt.pool.execute(
        f"""INSERT INTO {s}.ledger_imports (import_id, station_id, actor, actor_role, file_hash,
                file_bytes, rows_total, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')""",
        import_id,
        station_id,
        who.subject,
        str(who.role),
        digest,
        len(content),
        report.rows,
    )
    task = asyncio.create_task(
        importer.run(rt, who, station_id, content, digest, import_id, request.state.correlation_id),
        name=f"ledger-import:{import_id}",
    )
    RUNNING.add(task)
    task.add_done_callback(_finished)
    return JSONResponse(
        {
            "import_id": import_id,
            "station_id": station_id,
            "rows": report.rows,
            "file_hash": digest,
            "status": "running",
        },
        status_code=201,  # the import (its audit row) is created; it runs on in the background
        headers={"Location": f"/ledger/households/imports/{import_id}"},
    )


def _finished(task: asyncio.Task) -> None:
    RUNNING.discard(task)
    if not task.cancelled():
        task.exception()  # already recorded on the import's row; read so asyncio stays quiet


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
    s = rt.store.schema  # type: ignore[union-attr]
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
    s = rt.store.schema  # type: ignore[union-attr]
    stations = await rt.stations.scope(who, station_id)
    select = paging.Select(f"SELECT * FROM {s}.ledger_imports").within(stations)
    rows, after = await select.page(rt.pool, IMPORTS, page)
    return page.answer([_progress(dict(r)) for r in rows], after)

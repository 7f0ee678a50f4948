"""Checking a ledger file and starting its import: the dry run in a worker thread, the caller's
write scope at the station, the import's audit row, and the import running on in a task of
this process (`importer.run`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

from shegong_events.ids import new_id
from shegong_runtime.auth import Principal
from shegong_runtime.errors import DomainError
from shegong_runtime.service import Runtime

from shegong_visits.ledger import dry_run, importer, rows

RUNNING: set[asyncio.Task] = set()  # imports under way in this process (kept from the collector)


class NotAWorkbook(DomainError):
    """The body must be an Excel workbook (.xlsx) holding the household ledger."""

    status = 422


def workbook(content: bytes) -> bytes:
    """The body, if it is a workbook at all (an .xlsx is a zip archive)."""
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


async def check(
    rt: Runtime, who: Principal, content: bytes, station_id: str | None
) -> dry_run.Report:
    """Every row checked, nothing written; with a station (the caller writing there), rows
    naming its households are counted as existing."""
    existing = None
    if station_id is not None:
        await rt.stations.check_write(who, station_id)
        existing = await importer.existing_ids(rt, station_id)
    return await checked(workbook(content), existing)


@dataclass(frozen=True)
class Started:
    import_id: str
    station_id: str
    rows: int
    file_hash: str


async def start(
    rt: Runtime, who: Principal, station_id: str, content: bytes, correlation_id: UUID
) -> Started | dry_run.Report:
    """The whole file checked first (its report when it is not clean, nothing written), then
    its audit row written and its rows imported in the background."""
    report = await check(rt, who, content, station_id)
    if not report.clean:
        return report
    digest, import_id = importer.file_hash(rt, content), new_id("imp")
    assert rt.store is not None
    await rt.pool.execute(
        f"""INSERT INTO {rt.store.schema}.ledger_imports (import_id, station_id, actor,
                actor_role, file_hash, file_bytes, rows_total, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')""",
        import_id,
        station_id,
        who.subject,
        str(who.role),
        digest,
        len(content),
        report.rows,
    )
    task = asyncio.create_task(
        importer.run(rt, who, station_id, content, digest, import_id, correlation_id),
        name=f"ledger-import:{import_id}",
    )
    RUNNING.add(task)
    task.add_done_callback(_finished)
    return Started(import_id, station_id, report.rows, digest)


def _finished(task: asyncio.Task) -> None:
    RUNNING.discard(task)
    if not task.cancelled():
        task.exception()  # already recorded on the import's row; read so asyncio stays quiet

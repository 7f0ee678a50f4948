"""The import: one `RegisterHousehold` per row through the one command path, each under an
`Idempotency-Key` made of the file's keyed hash, the station and the row number.

Importing the same file again finds every row's answer remembered and adds nothing; a file
whose import stopped halfway (a restart, a lost connection) is imported again the same way
and only the rows not yet done are added. Each row's personal data is sealed with the new
household's own key in that row's command, as the API seals it. Nothing here logs a cell.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
from dataclasses import dataclass
from uuid import UUID

from shegong_runtime import crypto, logging
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext, fingerprint, send
from shegong_runtime.service import Runtime

from shegong_visits import views
from shegong_visits.entrypoints.http import building
from shegong_visits.entrypoints.http.common import at_or_now, household
from shegong_visits.ledger import rows

log = logging.get("ledger")
PROGRESS_EVERY = 50  # rows between two progress updates of the audit row
WORKERS = 4  # rows in flight at once: each a command of its own, on its own connection


def file_hash(rt: Runtime, content: bytes) -> str:
    """Keyed, as every digest of personal data is: an unkeyed hash of a small sheet is guessable."""
    secret = rt.settings.fingerprint_secret.encode()
    return hmac.new(secret, content, hashlib.sha256).hexdigest()


def household_id(digest: str, station_id: str, row: int) -> str:
    """The same file, station and row always name the same household."""
    seed = hashlib.sha256(f"{digest}:{station_id}".encode()).hexdigest()[:16]
    return f"hh-{seed}-{row}"


@dataclass
class Tally:
    done: int = 0
    added: int = 0
    repeated: int = 0
    existing: int = 0

    def count(self, outcome: str) -> None:
        """A row finished: "added", "repeated" or "existing"."""
        self.done += 1
        setattr(self, outcome, getattr(self, outcome) + 1)


async def existing_ids(rt: Runtime, station_id: str) -> set[str]:
    """The station's households, so a row naming one of them (an export read back) is skipped."""
    schema = await views.read_schema(rt)
    found = await rt.pool.fetch(
        f"SELECT household_id FROM {schema}.households WHERE station_id = $1", station_id
    )
    return {r["household_id"] for r in found}


@dataclass(frozen=True)
class Target:
    """Where an import goes and under whose name."""

    rt: Runtime
    who: Principal
    station_id: str
    digest: str
    correlation_id: UUID


async def run(
    rt: Runtime,
    who: Principal,
    station_id: str,
    content: bytes,
    digest: str,
    import_id: str,
    correlation_id: UUID,
    workers: int = WORKERS,
) -> Tally:
    """Every row of a file the dry run found clean, `workers` rows at a time (each its own
    household, so their commands never race); progress written to the audit row. A failing
    row stops the import once the rows in flight are done, so the counts are exact."""
    tally, target = Tally(), Target(rt, who, station_id, digest, correlation_id)
    assert rt.store is not None
    schema = rt.store.schema
    have = await existing_ids(rt, station_id)
    in_flight: set[asyncio.Task] = set()

    async def settle(until: int) -> None:
        nonlocal in_flight
        while len(in_flight) > until:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            failed = [error for task in done if (error := task.exception()) is not None]
            for task in done:
                if task.exception() is None:
                    tally.count(task.result())
            if failed:
                raise failed[0]
            if tally.done // PROGRESS_EVERY != (tally.done - len(done)) // PROGRESS_EVERY:
                await _progress(rt, schema, import_id, tally)

    try:
        try:
            for item in rows.stream(io.BytesIO(content)):
                if isinstance(item, rows.Problem):
                    continue  # the header's notes; the dry run before the import passed the rows
                number, cells = item
                row, problems = rows.check(number, cells)
                if row is None or problems:
                    raise rows.NotALedger(f"第{number}行未通过检查")
                if row.household_id and row.household_id in have:
                    tally.count("existing")
                    continue
                await settle(workers - 1)
                in_flight.add(asyncio.create_task(_row(target, row)))
            await settle(0)
        finally:
            if in_flight:  # a row failed: let the others in flight finish and count them
                await asyncio.wait(in_flight)
                for task in in_flight:
                    if task.exception() is None:
                        tally.count(task.result())
    except Exception as exc:
        await _progress(rt, schema, import_id, tally, status="failed", failure=type(exc).__name__)
        log.warning(
            "ledger.import_failed",
            import_id=import_id,
            station_id=station_id,
            rows=tally.done,
            error=type(exc).__name__,
        )
        raise
    await _progress(rt, schema, import_id, tally, status="done")
    log.info(
        "ledger.imported",
        import_id=import_id,
        station_id=station_id,
        rows=tally.done,
        added=tally.added,
        repeated=tally.repeated,
        existing=tally.existing,
    )
    return tally


async def _row(t: Target, row: rows.Ledgered) -> str:
    """One row's command, in a task of its own (its own sealing context): "added" or "repeated"."""
    assert t.rt.store is not None
    hid = household_id(t.digest, t.station_id, row.row)
    ctx = CommandContext(
        actor=t.who.subject,
        correlation_id=t.correlation_id,
        idempotency_key=f"ledger-{t.digest[:48]}-{t.station_id}-{row.row}",
        fingerprint=fingerprint(
            {"ledger": t.digest, "row": row.row}, t.rt.settings.fingerprint_secret
        ),
    )
    crypto.begin_command()
    body = row.body(t.station_id, hid)
    at = at_or_now(body.registered_at)
    order = household(
        hid,
        building.registration(body, hid, at),
        status=201,
        station_id=t.station_id,
        occurred_at=at,
    )
    answer = await send(t.rt.store, order, ctx, keys=t.rt.keys)  # the import checked the scope
    return "repeated" if answer.replayed else "added"


async def _progress(
    rt: Runtime,
    schema: str,
    import_id: str,
    t: Tally,
    status: str = "running",
    failure: str | None = None,
) -> None:
    await rt.pool.execute(
        f"""UPDATE {schema}.ledger_imports SET rows_done = $2, rows_added = $3, rows_repeated = $4,
                rows_existing = $5, status = $6, failure = $7,
                finished_at = CASE WHEN $6 = 'running' THEN NULL ELSE now() END
            WHERE import_id = $1""",
        import_id,
        t.done,
        t.added,
        t.repeated,
        t.existing,
        status,
        failure,
    )

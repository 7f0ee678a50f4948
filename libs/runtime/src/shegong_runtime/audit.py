"""The read audit: every HTTP request that opens a person's sealed data leaves one record per
person in the service's append-only `read_audit` table, written before the answer is sent.

A record holds who read (token subject, role, scope), whose data (the subject id only), the
station and district the data belongs to, the route template, when, and the stated purpose
(`X-Purpose` header or `purpose` query parameter: a short lower-case code, so that no personal
data can be written into the audit itself). Station leads query their stations' records,
district officers their district's, the city bureau all.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, StringConstraints
from shegong_events.ids import DATA_SUBJECT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shegong_runtime import paging
from shegong_runtime.auth import MANAGERS, Principal, Role, requires
from shegong_runtime.errors import DomainError
from shegong_runtime.inputs import Identifier, When

DDL = """
CREATE TABLE IF NOT EXISTS {s}.read_audit (
    audit_id        bigserial PRIMARY KEY,
    read_at         timestamptz NOT NULL DEFAULT now(),
    reader          text NOT NULL,
    reader_role     text NOT NULL,
    reader_stations text[] NOT NULL,
    reader_district text,
    subject_id      text NOT NULL,
    station_id      text,
    district_id     text,
    route           text NOT NULL,
    purpose         text
);
CREATE INDEX IF NOT EXISTS read_audit_by_station ON {s}.read_audit (station_id, read_at);
CREATE INDEX IF NOT EXISTS read_audit_by_district ON {s}.read_audit (district_id, read_at);
CREATE INDEX IF NOT EXISTS read_audit_listed_by_station ON {s}.read_audit (station_id, audit_id);
CREATE INDEX IF NOT EXISTS read_audit_listed_by_district ON {s}.read_audit (district_id, audit_id);
CREATE INDEX IF NOT EXISTS read_audit_listed_by_subject ON {s}.read_audit (subject_id, audit_id);
CREATE OR REPLACE FUNCTION {s}.read_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'read_audit is append-only';
END $$;
CREATE OR REPLACE TRIGGER read_audit_append_only BEFORE UPDATE OR DELETE ON {s}.read_audit
    FOR EACH ROW EXECUTE FUNCTION {s}.read_audit_is_append_only();
CREATE OR REPLACE TRIGGER read_audit_no_truncate BEFORE TRUNCATE ON {s}.read_audit
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.read_audit_is_append_only();
"""
PURPOSE = re.compile(r"^[a-z][a-z_\-]{0,39}$")  # a code such as `follow_up`: no digits, no names

_opened: ContextVar[set[str] | None] = ContextVar("shegong_opened_subjects", default=None)
router = APIRouter(tags=["read audit"])


class BadPurpose(DomainError):
    """The stated purpose must be a short lower-case code (letters, `_`, `-`), never free text."""


def opened(subject_id: str) -> None:
    """Called by the key store each time a sealed value of this subject is opened."""
    if (subjects := _opened.get()) is not None:
        subjects.add(subject_id)


def purpose_of(request: Request) -> str | None:
    value = request.headers.get("X-Purpose") or request.query_params.get("purpose")
    if value is not None and not PURPOSE.match(value):
        raise BadPurpose("用途须为小写字母开头的代码（^[a-z][a-z_-]{0,39}$）", field="purpose")
    return value


async def record(request: Request, subjects: set[str], purpose: str | None) -> None:
    """One row per person whose data this request opened (station from their key's row)."""
    rt = request.app.state.runtime
    who: Principal | None = getattr(request.state, "principal", None)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    if who is None or rt.keys is None:
        return
    s = rt.keys.schema
    rows = await rt.pool.fetch(
        f"SELECT subject_id, station_id FROM {s}.subject_keys WHERE subject_id = ANY($1::text[])",
        sorted(subjects),
    )
    station = {r["subject_id"]: r["station_id"] for r in rows}
    await rt.pool.executemany(
        f"INSERT INTO {s}.read_audit (reader, reader_role, reader_stations, reader_district, "
        "subject_id, station_id, district_id, route, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (
                who.subject,
                str(who.role),
                sorted(who.stations),
                who.district,
                subject,
                station.get(subject),
                rt.stations.district_of(station[subject]) if station.get(subject) else None,
                route,
                purpose,
            )
            for subject in sorted(subjects)
        ],
    )


class AuditReads:
    """Collects the subjects a request opened and records them before its answer starts (no
    record, no answer: a failure is a 500). A pure ASGI middleware, like `Correlate`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            purpose = purpose_of(request)
        except BadPurpose as exc:
            refusal = JSONResponse(
                {"error": exc.code, "message": str(exc), "field": "purpose"}, status_code=422
            )
            await refusal(scope, receive, send)
            return
        subjects: set[str] = set()

        async def recorded_first(message: Message) -> None:
            if message["type"] == "http.response.start" and subjects and message["status"] < 400:
                await record(request, subjects, purpose)
            await send(message)

        token = _opened.set(subjects)
        try:
            await self.app(scope, receive, recorded_first)
        finally:
            _opened.reset(token)


def install(app: FastAPI) -> None:
    """The middleware that records opened subjects per request, and the query."""
    app.add_middleware(AuditReads)
    app.include_router(router)


SubjectId = Annotated[str, StringConstraints(pattern=DATA_SUBJECT)]


class ReadAuditEntry(BaseModel):
    """One read of a person's opened data: who read whose, where, by which route."""

    audit_id: int
    read_at: datetime
    reader: str
    reader_role: str
    reader_stations: list[str]
    reader_district: str | None
    subject_id: str
    station_id: str | None
    district_id: str | None
    route: str
    purpose: str | None


READS = paging.Keyset.of("audit_reads", "audit_id:bigint", descending=True)


@router.get(
    "/audit/reads",
    response_model=None,  # the page is documented below; the answer is built as a dict
    responses={200: {"model": paging.Page[ReadAuditEntry]}},
)
async def list_reads(
    request: Request,
    page: paging.Paging,
    station_id: Identifier | None = None,
    subject_id: SubjectId | None = None,
    since: When | None = None,
    who: Principal = Depends(requires(*MANAGERS)),
) -> dict[str, Any]:
    """Who read whose personal data, newest first: a lead sees their stations, an officer their
    district."""
    rt = request.app.state.runtime
    if rt.keys is None:
        return page.answer([], None)
    if station_id is not None:
        await rt.stations.refresh()
        who.require_station(station_id, rt.stations.district_of)
    stations = None if who.citywide or who.role == Role.district_officer else sorted(who.stations)
    district = who.district if who.role == Role.district_officer else None
    select = (
        paging.Select(f"SELECT * FROM {rt.keys.schema}.read_audit")
        .when(station_id, "station_id = {}")
        .within(stations)
        .when(district, "district_id = {}")
        .when(subject_id, "subject_id = {}")
        .when(since, "read_at >= {}")
    )
    rows, after = await select.page(rt.pool, READS, page)
    return page.answer([dict(r) for r in rows], after)

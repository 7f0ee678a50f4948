"""Organisation read models over HTTP: per station by status, one organisation, its timeline,
and filings waiting for review longer than N days."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from shegong_runtime import masking
from shegong_runtime.auth import READERS, WRITERS, Principal, Role, requires
from shegong_runtime.inputs import Identifier, When
from shegong_runtime.service import Runtime, runtime

from shegong_registry import views
from shegong_registry.domain.organisation import OrganisationNotFound, Status
from shegong_registry.entrypoints.common import CHINA, ID, readable, when

router = APIRouter(tags=["organisations"])
StationId = Annotated[str, Path(pattern=ID)]
OrganisationId = Annotated[str, Path(pattern=ID)]
StatusName = Literal["pending", "returned", "approved", "volunteer_team", "deregistered"]
reader = requires(*READERS)


@router.get("/stations/{station_id}/organisations")
async def by_station(
    station_id: StationId,
    request: Request,
    status: StatusName | None = None,
    who: Principal = Depends(reader),
):
    rt = runtime(request)
    await readable(rt, who, station_id)
    rows = await views.organisations(rt, station_id)
    statuses = [str(s) for s in Status if s is not Status.none]
    return {
        "station_id": station_id,
        "counts": {s: sum(r["status"] == s for r in rows) for s in statuses},
        "organisations": [r for r in rows if status is None or r["status"] == status],
    }


async def _one(rt: Runtime, who: Principal, station_id: str, organisation_id: str) -> dict:
    await readable(rt, who, station_id)
    row = await views.organisation(rt, organisation_id)
    if row is None or row["station_id"] != station_id:
        raise OrganisationNotFound(f"no organisation {organisation_id} at station {station_id}")
    return row


@router.get("/stations/{station_id}/organisations/{organisation_id}")
async def one(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    who: Principal = Depends(reader),
):
    """Station staff see the responsible person opened; integrators never see personal data."""
    rt = runtime(request)
    assert rt.keys is not None
    row = await _one(rt, who, station_id, organisation_id)
    person, phone = row.pop("responsible_person_sealed"), row.pop("responsible_phone_sealed")
    if who.role in WRITERS:
        subject = f"org-contact:{organisation_id}"
        row["responsible_person"] = await rt.keys.open_or_redacted(subject, person)
        row["responsible_phone"] = await rt.keys.open_or_redacted(subject, phone)
        row = masking.for_reader(who, row)  # a bureau sees the number masked
    return row


@router.get("/stations/{station_id}/organisations/{organisation_id}/timeline")
async def timeline(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    who: Principal = Depends(reader),
):
    rt = runtime(request)
    row = await _one(rt, who, station_id, organisation_id)
    return {
        "organisation_id": organisation_id,
        "status": row["status"],
        "events": await views.timeline(rt, organisation_id),
    }


@router.get("/organisations/pending")
async def pending(
    request: Request,
    older_than_days: int = Query(ge=0, le=3650),
    as_of: When | None = Query(
        default=None, description="default now; a date or zoneless time is China time"
    ),
    station_id: Identifier | None = Query(default=None, pattern=ID),
    who: Principal = Depends(reader),
):
    """Filings waiting for review longer than N days, within the caller's scope."""
    rt = runtime(request)
    if station_id is not None:
        await readable(rt, who, station_id)
        scope: list[str] | None = [station_id]
    elif who.citywide:
        scope = None
    elif who.role == Role.district_officer:
        scope = [s for s, d in (await rt.stations.all()).items() if d == who.district]
    else:
        scope = sorted(who.stations)
    rows = await views.pending_longer_than(
        rt, older_than_days, when(as_of) or datetime.now(CHINA), scope
    )
    return {"older_than_days": older_than_days, "filings": rows}

"""Readings of organisations: one station's by status with counts, one organisation (its
responsible person opened for staff only) and its timeline."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from shegong_events.registry import OrgStatus
from shegong_runtime import masking, openapi
from shegong_runtime.auth import WRITERS, Principal
from shegong_runtime.paging import Paging
from shegong_runtime.routes import Reader
from shegong_runtime.service import Runtime, runtime

from shegong_registry import views
from shegong_registry.domain.organisation import OrganisationNotFound, Status
from shegong_registry.entrypoints.http.answers import Organisation, StationOrganisations, Timeline
from shegong_registry.entrypoints.http.common import OrganisationId, StationId
from shegong_registry.entrypoints.http.organisations import BASE, STATION, subject

router = APIRouter(tags=["organisations"])


@router.get(
    STATION,
    responses=openapi.reading(StationOrganisations, "a station's organisations, with counts"),
)
async def station_organisations(
    station_id: StationId,
    request: Request,
    who: Reader,
    page: Paging,
    status: OrgStatus | None = None,
):
    """A page of a station's organisations in order of filing, with the counts of all of them
    per status."""
    rt = runtime(request)
    await rt.stations.check_read(who, station_id)
    counted = await views.organisation_counts(rt, station_id)
    counts = {str(s): counted.get(str(s), 0) for s in Status if s is not Status.none}
    found = await views.organisations(rt, page, station_id, status)
    return {"station_id": station_id, "counts": counts, **page.answer(*found)}


async def _one(rt: Runtime, who: Principal, station_id: str, organisation_id: str) -> dict:
    await rt.stations.check_read(who, station_id)
    row = await views.organisation(rt, organisation_id)
    if row is None or row["station_id"] != station_id:
        raise OrganisationNotFound(f"社工站 {station_id} 没有组织 {organisation_id}")
    return row


@router.get(BASE, responses=openapi.reading(Organisation, "the organisation", etag=True))
async def get_organisation(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    response: Response,
    who: Reader,
):
    """Station staff see the responsible person opened; integrators never see personal data.
    The ETag is the version read: send it back as If-Match with the next step."""
    rt = runtime(request)
    row = await _one(rt, who, station_id, organisation_id)
    response.headers["ETag"] = f'"{row["version"]}"'
    person, phone = row.pop("responsible_person_sealed"), row.pop("responsible_phone_sealed")
    if who.role in WRITERS:
        sealed = subject(organisation_id)
        row["responsible_person"] = await rt.sealing.open_or_redacted(sealed, person)
        row["responsible_phone"] = await rt.sealing.open_or_redacted(sealed, phone)
        row = masking.for_reader(who, row)  # a bureau sees the number masked
    return row


@router.get(f"{BASE}/timeline", responses=openapi.reading(Timeline, "the organisation's events"))
async def organisation_timeline(
    station_id: StationId,
    organisation_id: OrganisationId,
    request: Request,
    who: Reader,
    page: Paging,
):
    """The organisation's events, oldest first, a page at a time."""
    rt = runtime(request)
    row = await _one(rt, who, station_id, organisation_id)
    found = await views.timeline(rt, organisation_id, page)
    return {"organisation_id": organisation_id, "status": row["status"], **page.answer(*found)}

"""Certificates of service hours: issued by the station that recorded them, verified by number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_runtime.auth import Principal, principal
from shegong_runtime.commands import CommandContext
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Code, Identifier
from shegong_runtime.service import runtime

from shegong_engagement import views
from shegong_engagement.domain.certificate import (
    IssueCertificate,
    issue_certificate,
    new_number,
    normalise,
)
from shegong_engagement.domain.clock import today
from shegong_engagement.domain.errors import CertificateNotFound
from shegong_engagement.entrypoints.http.commands import (
    answered,
    last_data,
    occurred_on,
    volunteer_command,
)
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    certify_access,
    for_write,
)
from shegong_engagement.entrypoints.http.sealed import volunteer_subject

router = APIRouter(tags=["certificates"])


@router.post("/stations/{station_id}/volunteers/{volunteer_id}/certificates", status_code=201)
async def issue(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: IssueCertificate,
    request: Request,
    who: Principal = Depends(certify_access),
    ctx: CommandContext = Depends(command_context),
):
    """Certify the closed, not yet certified sessions in the period (auto-closed ones on request)."""
    rt = await for_write(request, who, station_id)
    issued_on = body.issued_on or today()
    number = new_number(issued_on.year)
    return await volunteer_command(
        rt,
        volunteer_id,
        station_id,
        ctx,
        lambda state: issue_certificate(state, body, number, issued_on),
        answered(
            201,
            "volunteer_id",
            certificate_number=last_data("certificate_number"),
            hours=last_data("hours"),
            sessions=last_data("sessions"),
        ),
        occurred_on(body.issued_on),
    )


@router.get("/certificates/{number}")
async def verify(number: Code, request: Request, who: Principal = Depends(principal)):
    """Anyone with a token may verify a number; the holder's name only within the station's scope."""
    rt = runtime(request)
    found = await views.certificate(rt, normalise(number))
    if found is None:
        raise CertificateNotFound(f"no certificate {number} (yet)")
    sealed = found.pop("name_sealed", None)
    await rt.stations.refresh()
    if who.role in PERSONAL_DATA_ROLES and who.can_see(
        found["station_id"], rt.stations.district_of
    ):
        found["volunteer_name"] = await rt.keys.open_or_redacted(
            volunteer_subject(found["volunteer_id"]), sealed
        )
    return {"valid": True, **found}

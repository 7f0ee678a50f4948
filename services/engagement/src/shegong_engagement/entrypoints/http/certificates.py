"""Certificates of service hours: issued by the station that recorded them, verified by number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events.calendar import today
from shegong_runtime.auth import Principal, principal
from shegong_runtime.commands import changed, last
from shegong_runtime.inputs import Code, Identifier
from shegong_runtime.service import runtime

from shegong_engagement import views
from shegong_engagement.domain.certificate import Certify, IssueCertificate, new_number, normalise
from shegong_engagement.domain.errors import CertificateNotFound
from shegong_engagement.domain.volunteer import VOLUNTEER
from shegong_engagement.entrypoints.http import readings as doc
from shegong_engagement.entrypoints.http.common import PERSONAL_DATA_ROLES, Certifying, occurred_on
from shegong_engagement.entrypoints.http.sealed import volunteer_subject

router = APIRouter(tags=["certificates"])
CERTIFICATE_LINKS = {
    "volunteer": doc.VOLUNTEER,
    "certificate": doc.link_to("verify_certificate", number="$response.body#/certificate_number"),
}


@router.post(
    "/stations/{station_id}/volunteers/{volunteer_id}/certificates",
    status_code=201,
    responses=doc.changed(201, "issued", **CERTIFICATE_LINKS),
)
async def issue_certificate(
    station_id: Identifier, volunteer_id: Identifier, body: IssueCertificate, call: Certifying
):
    """Certify the closed, not yet certified sessions in the period (auto-closed ones on request)."""
    issued_on = body.issued_on or today()
    certify = Certify(station_id, volunteer_id, body, new_number(issued_on.year), issued_on)
    picked = {k: last(k) for k in ("certificate_number", "hours", "sessions")}
    return await call.run(
        VOLUNTEER,
        volunteer_id,
        certify,
        station_id=station_id,
        occurred_at=occurred_on(body.issued_on),
        respond=changed(201, "volunteer_id", **picked),
    )


@router.get(
    "/certificates/{number}", responses=doc.reading(doc.CertificateCheck, "the certificate, valid")
)
async def verify_certificate(number: Code, request: Request, who: Principal = Depends(principal)):
    """Anyone with a token may verify a number; the holder's name only within the station's scope."""
    rt = runtime(request)
    found = await views.certificate(rt, normalise(number))
    if found is None:
        raise CertificateNotFound(f"no certificate {number} (yet)")
    sealed = found.pop("name_sealed", None)
    if who.role in PERSONAL_DATA_ROLES and await rt.stations.visible(who, [found]):
        found["volunteer_name"] = await rt.keys.open_or_redacted(
            volunteer_subject(found["volunteer_id"]), sealed
        )
    return {"valid": True, **found}

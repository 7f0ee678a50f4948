"""Certificates of service hours: issued by the station that recorded them, verified by number."""

from __future__ import annotations

from fastapi import APIRouter, Request
from shegong_events.calendar import today
from shegong_runtime import openapi
from shegong_runtime.auth import WRITERS
from shegong_runtime.commands import changed, last_of
from shegong_runtime.inputs import Code, Identifier
from shegong_runtime.routes import Caller, Managing
from shegong_runtime.service import runtime

from shegong_engagement import views
from shegong_engagement.domain.certificate import Certify, new_number, normalise
from shegong_engagement.domain.errors import CertificateNotFound
from shegong_engagement.entrypoints.http import answers, bodies
from shegong_engagement.entrypoints.http.common import VOLUNTEER_LINK, occurred_on, volunteer
from shegong_engagement.entrypoints.http.sealed import volunteer_subject

router = APIRouter(tags=["certificates"])
CERTIFIED = changed(201, "volunteer_id", **last_of("certificate_number", "hours", "sessions"))
CERTIFICATE_LINK = openapi.link("verify_certificate", number="$response.body#/certificate_number")


@router.post(
    "/stations/{station_id}/volunteers/{volunteer_id}/certificates",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(
        201, "issued", volunteer=VOLUNTEER_LINK, certificate=CERTIFICATE_LINK
    ),
)
async def issue_certificate(
    station_id: Identifier, volunteer_id: Identifier, body: bodies.IssueCertificate, call: Managing
):
    """Certify the closed, not yet certified sessions in the period (auto-closed ones on request)."""
    issued_on = body.issued_on or today()
    number = new_number(issued_on.year)  # random, so drawn here and not in the rule
    certify = Certify(station_id, volunteer_id, number, issued_on, **body.facts())
    return await call.send(
        volunteer(
            station_id,
            volunteer_id,
            certify,
            CERTIFIED,
            occurred_at=occurred_on(body.issued_on),
        )
    )


@router.get(
    "/certificates/{number}",
    responses=openapi.reading(answers.CertificateCheck, "the certificate, valid"),
)
async def verify_certificate(number: Code, request: Request, who: Caller):
    """Anyone with a token may verify a number; the holder's name only within the station's scope."""
    rt = runtime(request)
    found = await views.certificate(rt, normalise(number))
    if found is None:
        raise CertificateNotFound(f"没有（或尚未生成）证明 {number}")
    sealed = found.pop("name_sealed", None)
    if who.role in WRITERS and await rt.stations.visible(who, [found]):
        found["volunteer_name"] = await rt.sealing.open_or_redacted(
            volunteer_subject(found["volunteer_id"]), sealed
        )
    return {"valid": True, **found}

"""PIPL rights of the engagement service's data subjects: a volunteer (erasure of name and phone,
hours and certificates stay nameless; a copy of their data as JSON), and the people named in a
meeting: an issue's proposer and an action item's owner (erasure of the name).

The routes are the shared ones (`shegong_runtime.personal_data_routes`); the erasure deciders
are the domain's (`shegong_engagement.domain.erasure`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from shegong_runtime import openapi, pipl
from shegong_runtime import personal_data_routes as rights
from shegong_runtime.commands import Order, changed, load
from shegong_runtime.inputs import Identifier
from shegong_runtime.routes import Manager, Managing
from shegong_runtime.service import runtime

from shegong_engagement.domain.aggregates import VOLUNTEER
from shegong_engagement.domain.erasure import (
    MEETING_NAME_ERASURE,
    VOLUNTEER_ERASURE,
    EraseMeetingName,
    EraseVolunteer,
)
from shegong_engagement.domain.volunteer import require_volunteer
from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    volunteer_subject,
)

router = APIRouter(tags=["personal data"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"
MEETING_PATH = "/stations/{station_id}/meetings/{meeting_id}"


@router.post(
    f"{BASE}/erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the volunteer's name and phone erased; the hours stay"),
)
async def erase_volunteer(
    station_id: Identifier, volunteer_id: Identifier, body: pipl.Erase, call: Managing
):
    """Destroy the volunteer's key with the erasure event; their sealed name and phone go with it."""
    command = EraseVolunteer(
        station_id=station_id, volunteer_id=volunteer_id, reason=body.reason, erased_at=pipl.now()
    )
    return await call.send(
        Order(
            VOLUNTEER_ERASURE,
            volunteer_id,
            command,
            changed(200, "volunteer_id"),
            station_id=station_id,
            subject=volunteer_subject(volunteer_id),
            erases=True,
        )
    )


@router.get(f"{BASE}/export", responses=rights.EXPORT_RESPONSES)
async def export_volunteer(
    station_id: Identifier, volunteer_id: Identifier, request: Request, who: Manager
):
    """A copy of everything recorded about the volunteer (PIPL), name and phone opened."""
    rt = runtime(request)

    async def found() -> None:
        state, _ = await load(rt.events, VOLUNTEER, volunteer_id)
        require_volunteer(state, station_id, volunteer_id)

    subject, streams = volunteer_subject(volunteer_id), [f"volunteer-{volunteer_id}"]
    return await rights.export(rt, who, station_id, subject, streams, found)


def _name_erasure(
    subject: str, station_id: str, meeting_id: str, body: pipl.Erase, **named: str
) -> Order[Any, Any]:
    """Erase one name at a meeting: `issue_id=` its proposer's, or `action_id=` its owner's."""
    command = EraseMeetingName(
        station_id=station_id,
        meeting_id=meeting_id,
        reason=body.reason,
        erased_at=pipl.now(),
        **named,
    )
    return Order(
        MEETING_NAME_ERASURE,
        meeting_id,
        command,
        changed(200, "meeting_id"),
        station_id=station_id,
        subject=subject,
        erases=True,
    )


@router.post(
    MEETING_PATH + "/issues/{issue_id}/proposer-erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the proposer's name erased; the issue stays"),
)
async def erase_proposer(
    station_id: Identifier,
    meeting_id: Identifier,
    issue_id: Identifier,
    body: pipl.Erase,
    call: Managing,
):
    """Erase the name of the person who proposed an issue; the issue stays."""
    subject = issue_subject(meeting_id, issue_id)
    return await call.send(_name_erasure(subject, station_id, meeting_id, body, issue_id=issue_id))


@router.post(
    MEETING_PATH + "/action-items/{action_id}/owner-erasure",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "the owner's name erased; the action item stays"),
)
async def erase_owner(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: pipl.Erase,
    call: Managing,
):
    """Erase the name of the person an action item was assigned to; the item stays."""
    subject = action_subject(meeting_id, action_id)
    erasure = _name_erasure(subject, station_id, meeting_id, body, action_id=action_id)
    return await call.send(erasure)

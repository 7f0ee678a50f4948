"""PIPL rights of the engagement service's data subjects: a volunteer (erasure of name and phone,
hours and certificates stay nameless; a copy of their data as JSON), and the people named in a
meeting: an issue's proposer and an action item's owner (erasure of the name)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events.engagement import MeetingNameErased, VolunteerErased
from shegong_runtime import pipl
from shegong_runtime.auth import Principal, requires
from shegong_runtime.commands import CommandContext, load
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Identifier

from shegong_engagement.domain.aggregates import VOLUNTEER
from shegong_engagement.domain.errors import ActionItemNotFound, IssueNotFound
from shegong_engagement.domain.meeting import Meeting
from shegong_engagement.domain.volunteer import require_volunteer
from shegong_engagement.entrypoints.http.commands import (
    answered,
    meeting_command,
    volunteer_command,
)
from shegong_engagement.entrypoints.http.common import for_read
from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    volunteer_subject,
)

router = APIRouter(tags=["personal data"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"
MEETING = "/stations/{station_id}/meetings/{meeting_id}"
eraser = requires(*pipl.ERASERS)


@router.post(f"{BASE}/erasure")
async def erase_volunteer(
    station_id: Identifier,
    volunteer_id: Identifier,
    body: pipl.Erase,
    request: Request,
    who: Principal = Depends(eraser),
    ctx: CommandContext = Depends(command_context),
):
    """Destroy the volunteer's key with the erasure event; their sealed name and phone go with it."""
    rt = await for_read(request, who, station_id)
    subject = volunteer_subject(volunteer_id)
    await pipl.require_not_erased(rt.keys, subject)
    return await volunteer_command(
        rt,
        volunteer_id,
        station_id,
        ctx,
        lambda _state: [VolunteerErased(reason=body.reason, erased_at=pipl.now())],
        answered(200, "volunteer_id"),
        after_append=pipl.destroy_key(rt.keys, subject),
    )


@router.get(f"{BASE}/export", responses={409: {"description": "the person's data was erased already"}})
async def export_volunteer(
    station_id: Identifier, volunteer_id: Identifier, request: Request, who: Principal = Depends(eraser)
):
    """A copy of everything recorded about the volunteer (PIPL), name and phone opened."""
    rt = await for_read(request, who, station_id)
    state, _ = await load(rt.store, VOLUNTEER, volunteer_id)
    require_volunteer(state, station_id, volunteer_id)
    subject = volunteer_subject(volunteer_id)
    return await pipl.export(rt.store, rt.keys, subject, [f"volunteer-{volunteer_id}"])


async def _erase_name(request, who, ctx, station_id, meeting_id, subject, decide):  # type: ignore[no-untyped-def]
    rt = await for_read(request, who, station_id)
    await pipl.require_not_erased(rt.keys, subject)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        decide,
        answered(200, "meeting_id"),
        after_append=pipl.destroy_key(rt.keys, subject),
    )


@router.post(MEETING + "/issues/{issue_id}/proposer-erasure")
async def erase_proposer(
    station_id: Identifier,
    meeting_id: Identifier,
    issue_id: Identifier,
    body: pipl.Erase,
    request: Request,
    who: Principal = Depends(eraser),
    ctx: CommandContext = Depends(command_context),
):
    """Erase the name of the person who proposed an issue; the issue stays."""

    def decide(state: Meeting):  # type: ignore[no-untyped-def]
        if issue_id not in state.issues:
            raise IssueNotFound(f"no issue {issue_id} at meeting {meeting_id}")
        return [MeetingNameErased(issue_id=issue_id, reason=body.reason, erased_at=pipl.now())]

    subject = issue_subject(meeting_id, issue_id)
    return await _erase_name(request, who, ctx, station_id, meeting_id, subject, decide)


@router.post(MEETING + "/action-items/{action_id}/owner-erasure")
async def erase_owner(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: pipl.Erase,
    request: Request,
    who: Principal = Depends(eraser),
    ctx: CommandContext = Depends(command_context),
):
    """Erase the name of the person an action item was assigned to; the item stays."""

    def decide(state: Meeting):  # type: ignore[no-untyped-def]
        if action_id not in state.actions:
            raise ActionItemNotFound(f"no action item {action_id} at meeting {meeting_id}")
        return [MeetingNameErased(action_id=action_id, reason=body.reason, erased_at=pipl.now())]

    subject = action_subject(meeting_id, action_id)
    return await _erase_name(request, who, ctx, station_id, meeting_id, subject, decide)

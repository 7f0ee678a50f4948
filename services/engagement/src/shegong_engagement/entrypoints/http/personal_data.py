"""PIPL rights of a volunteer: erasure (name and phone; hours and certificates stay, nameless)
and a copy of their data as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from shegong_events.engagement import VolunteerErased
from shegong_runtime import pipl
from shegong_runtime.auth import Principal, requires
from shegong_runtime.commands import CommandContext, load
from shegong_runtime.http import command_context

from shegong_engagement.domain.aggregates import VOLUNTEER
from shegong_engagement.domain.volunteer import require_volunteer
from shegong_engagement.entrypoints.http.commands import answered, volunteer_command
from shegong_engagement.entrypoints.http.common import for_read
from shegong_engagement.entrypoints.http.sealed import volunteer_subject

router = APIRouter(tags=["personal data"])
BASE = "/stations/{station_id}/volunteers/{volunteer_id}"
eraser = requires(*pipl.ERASERS)


@router.post(f"{BASE}/erasure")
async def erase_volunteer(
    station_id: str,
    volunteer_id: str,
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


@router.get(f"{BASE}/export")
async def export_volunteer(
    station_id: str, volunteer_id: str, request: Request, who: Principal = Depends(eraser)
):
    """A copy of everything recorded about the volunteer (PIPL), name and phone opened."""
    rt = await for_read(request, who, station_id)
    state, _ = await load(rt.store, VOLUNTEER, volunteer_id)
    require_volunteer(state, station_id, volunteer_id)
    subject = volunteer_subject(volunteer_id)
    return await pipl.export(rt.store, rt.keys, subject, [f"volunteer-{volunteer_id}"])

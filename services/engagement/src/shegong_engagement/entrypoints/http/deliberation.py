"""Deliberation at a meeting: issues, motions under the quorum rule, resolutions, action items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from shegong_events.calendar import today
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext, handle, load
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Day, Identifier

from shegong_engagement import views
from shegong_engagement.config import EngagementConfig, current
from shegong_engagement.domain.action_items import (
    Assign,
    AssignActionItem,
    Complete,
    CompleteActionItem,
)
from shegong_engagement.domain.deliberation import (
    Adopt,
    AdoptResolution,
    Propose,
    ProposeIssue,
    Vote,
    VoteMotion,
)
from shegong_engagement.domain.meeting import MEETING
from shegong_engagement.entrypoints.http import readings as doc
from shegong_engagement.entrypoints.http.answers import answered, last_data
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    for_read,
    for_write,
    occurred_on,
    read_access,
    visible,
    write_access,
)
from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    open_action_owner,
)

router = APIRouter(tags=["deliberation"])
BASE = "/stations/{station_id}/meetings/{meeting_id}"
MEETING_LINK = {"meeting": doc.link_to("meeting_detail", station_id=doc.AT_STATION, meeting_id="$request.path.meeting_id")}


@router.post(f"{BASE}/issues", status_code=201, responses=doc.changed(201, "proposed", **MEETING_LINK))
async def propose_issue(
    station_id: Identifier,
    meeting_id: Identifier,
    body: ProposeIssue,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    sealed = await rt.keys.seal(issue_subject(meeting_id, body.issue_id), body.proposer_name)
    answer = await handle(
        rt.store, MEETING, meeting_id, Propose(station_id, meeting_id, body, sealed, today()),
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.proposed_on),
        respond=answered(201, "meeting_id", issue_id=last_data("issue_id")),
    )
    return respond(answer)


@router.post(f"{BASE}/motions", status_code=201, responses=doc.changed(201, "voted", **MEETING_LINK))
async def vote_motion(
    station_id: Identifier,
    meeting_id: Identifier,
    body: VoteMotion,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
    config: EngagementConfig = Depends(current),
):
    """Record a vote; the quorum rule is the meeting's own, else the station's, else the default."""
    rt = await for_write(request, who, station_id)
    held, _ = await load(rt.store, MEETING, meeting_id)  # the vote happened the day it was held
    vote = Vote(station_id, meeting_id, body, config.quorum_for(station_id, None))
    answer = await handle(
        rt.store, MEETING, meeting_id, vote,
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.voted_on or held.held_on),
        respond=answered(
            201,
            "meeting_id",
            motion_id=last_data("motion_id"),
            passed=last_data("passed"),
            quorum_met=last_data("quorum_met"),
        ),
    )
    return respond(answer)


@router.post(f"{BASE}/resolutions", status_code=201, responses=doc.changed(201, "adopted", **MEETING_LINK))
async def adopt_resolution(
    station_id: Identifier,
    meeting_id: Identifier,
    body: AdoptResolution,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    answer = await handle(
        rt.store, MEETING, meeting_id, Adopt(station_id, meeting_id, body, today()),
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.adopted_on),
        respond=answered(201, "meeting_id", resolution_id=last_data("resolution_id")),
    )
    return respond(answer)


@router.post(f"{BASE}/action-items", status_code=201, responses=doc.changed(201, "assigned", **MEETING_LINK))
async def assign_action_item(
    station_id: Identifier,
    meeting_id: Identifier,
    body: AssignActionItem,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    sealed = await rt.keys.seal(action_subject(meeting_id, body.action_id), body.owner_name)
    answer = await handle(
        rt.store, MEETING, meeting_id, Assign(station_id, meeting_id, body, sealed, today()),
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.assigned_on),
        respond=answered(201, "meeting_id", action_id=last_data("action_id")),
    )
    return respond(answer)


@router.post(BASE + "/action-items/{action_id}/done", responses=doc.changed(200, "done", **MEETING_LINK))
async def complete_action_item(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: CompleteActionItem,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    answer = await handle(
        rt.store, MEETING, meeting_id, Complete(station_id, meeting_id, action_id, body, today()),
        station_id=station_id, ctx=ctx, occurred_at=occurred_on(body.done_on),
        respond=answered(200, "meeting_id", action_id=last_data("action_id"), late=last_data("late")),
    )
    return respond(answer)


@router.get("/action-items", responses=doc.reading(list[doc.ActionItemListed], "action items, soonest due first"))
async def list_action_items(
    request: Request,
    station_id: Identifier | None = None,
    status: str = Query(default="open", pattern="^(open|overdue|done|all)$"),
    as_of: Day | None = Query(
        default=None, description="overdue relative to this date; today if absent"
    ),
    who: Principal = Depends(read_access),
):
    """Action items of meetings: open, overdue (open and past due), done, or all."""
    rt = await for_read(request, who, station_id)
    rows = visible(rt, who, await views.action_items(rt, station_id, status, as_of or today()))
    return [await open_action_owner(rt, r, who.role in PERSONAL_DATA_ROLES) for r in rows]

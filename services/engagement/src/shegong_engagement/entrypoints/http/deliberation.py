"""Deliberation at a meeting: issues, motions under the quorum rule, resolutions, action items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from shegong_runtime.auth import Principal
from shegong_runtime.commands import CommandContext, load
from shegong_runtime.http import command_context
from shegong_runtime.inputs import Day, Identifier

from shegong_engagement import views
from shegong_engagement.domain.action_items import (
    AssignActionItem,
    CompleteActionItem,
    assign_action_item,
    complete_action_item,
)
from shegong_engagement.domain.aggregates import MEETING
from shegong_engagement.domain.clock import today
from shegong_engagement.domain.deliberation import (
    AdoptResolution,
    ProposeIssue,
    VoteMotion,
    adopt_resolution,
    propose_issue,
    vote_motion,
)
from shegong_engagement.entrypoints.http.commands import (
    answered,
    last_data,
    meeting_command,
    occurred_on,
)
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    config,
    for_read,
    for_write,
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


@router.post(f"{BASE}/issues", status_code=201)
async def propose(
    station_id: Identifier,
    meeting_id: Identifier,
    body: ProposeIssue,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    sealed = await rt.keys.seal(issue_subject(meeting_id, body.issue_id), body.proposer_name)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        lambda state: propose_issue(state, body, sealed, today()),
        answered(201, "meeting_id", issue_id=last_data("issue_id")),
        occurred_on(body.proposed_on),
    )


@router.post(f"{BASE}/motions", status_code=201)
async def vote(
    station_id: Identifier,
    meeting_id: Identifier,
    body: VoteMotion,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    """Record a vote; the quorum rule is the meeting's own, else the station's, else the default."""
    rt = await for_write(request, who, station_id)
    held, _ = await load(rt.store, MEETING, meeting_id)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        lambda state: vote_motion(
            state, body, *config(rt).quorum_for(station_id, state.quorum_rule)
        ),
        answered(
            201,
            "meeting_id",
            motion_id=last_data("motion_id"),
            passed=last_data("passed"),
            quorum_met=last_data("quorum_met"),
        ),
        occurred_on(body.voted_on or held.held_on),
    )


@router.post(f"{BASE}/resolutions", status_code=201)
async def adopt(
    station_id: Identifier,
    meeting_id: Identifier,
    body: AdoptResolution,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        lambda state: adopt_resolution(state, body, today()),
        answered(201, "meeting_id", resolution_id=last_data("resolution_id")),
        occurred_on(body.adopted_on),
    )


@router.post(f"{BASE}/action-items", status_code=201)
async def assign(
    station_id: Identifier,
    meeting_id: Identifier,
    body: AssignActionItem,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    sealed = await rt.keys.seal(action_subject(meeting_id, body.action_id), body.owner_name)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        lambda state: assign_action_item(state, body, sealed, today()),
        answered(201, "meeting_id", action_id=last_data("action_id")),
        occurred_on(body.assigned_on),
    )


@router.post(BASE + "/action-items/{action_id}/done")
async def done(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: CompleteActionItem,
    request: Request,
    who: Principal = Depends(write_access),
    ctx: CommandContext = Depends(command_context),
):
    rt = await for_write(request, who, station_id)
    return await meeting_command(
        rt,
        meeting_id,
        station_id,
        ctx,
        lambda state: complete_action_item(state, action_id, body, today()),
        answered(200, "meeting_id", action_id=last_data("action_id"), late=last_data("late")),
        occurred_on(body.done_on),
    )


@router.get("/action-items")
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

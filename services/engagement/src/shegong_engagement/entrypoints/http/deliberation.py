"""Deliberation at a meeting: issues, motions under the quorum rule, resolutions, action items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from shegong_events.calendar import today
from shegong_runtime.auth import Principal
from shegong_runtime.commands import changed, last, load
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.paging import Page, Paging

from shegong_engagement import config, views
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
from shegong_engagement.entrypoints.http.common import (
    PERSONAL_DATA_ROLES,
    Writing,
    for_read,
    occurred_on,
    read_access,
)
from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    open_action_owner,
)

router = APIRouter(tags=["deliberation"])
BASE = "/stations/{station_id}/meetings/{meeting_id}"
MEETING_LINK = {
    "meeting": doc.link_to(
        "meeting_detail", station_id=doc.AT_STATION, meeting_id="$request.path.meeting_id"
    )
}


@router.post(
    f"{BASE}/issues", status_code=201, responses=doc.changed(201, "proposed", **MEETING_LINK)
)
async def propose_issue(
    station_id: Identifier, meeting_id: Identifier, body: ProposeIssue, call: Writing
):
    rt = await call.at(station_id)
    sealed = await rt.keys.seal(issue_subject(meeting_id, body.issue_id), body.proposer_name)
    return await call.run(
        MEETING,
        meeting_id,
        Propose(station_id, meeting_id, body, sealed, today()),
        station_id=station_id,
        occurred_at=occurred_on(body.proposed_on),
        respond=changed(201, "meeting_id", issue_id=last("issue_id")),
    )


@router.post(
    f"{BASE}/motions", status_code=201, responses=doc.changed(201, "voted", **MEETING_LINK)
)
async def vote_motion(
    station_id: Identifier,
    meeting_id: Identifier,
    body: VoteMotion,
    call: Writing,
):
    """Record a vote; the quorum rule is the meeting's own, else the station's, else the default."""
    rt = await call.at(station_id)
    held, _ = await load(rt.store, MEETING, meeting_id)  # the vote happened the day it was held
    vote = Vote(station_id, meeting_id, body, config.settings().quorum_for(station_id, None))
    picked = {k: last(k) for k in ("motion_id", "passed", "quorum_met")}
    return await call.run(
        MEETING,
        meeting_id,
        vote,
        station_id=station_id,
        occurred_at=occurred_on(body.voted_on or held.held_on),
        respond=changed(201, "meeting_id", **picked),
    )


@router.post(
    f"{BASE}/resolutions", status_code=201, responses=doc.changed(201, "adopted", **MEETING_LINK)
)
async def adopt_resolution(
    station_id: Identifier, meeting_id: Identifier, body: AdoptResolution, call: Writing
):
    return await call.run(
        MEETING,
        meeting_id,
        Adopt(station_id, meeting_id, body, today()),
        station_id=station_id,
        occurred_at=occurred_on(body.adopted_on),
        respond=changed(201, "meeting_id", resolution_id=last("resolution_id")),
    )


@router.post(
    f"{BASE}/action-items", status_code=201, responses=doc.changed(201, "assigned", **MEETING_LINK)
)
async def assign_action_item(
    station_id: Identifier, meeting_id: Identifier, body: AssignActionItem, call: Writing
):
    rt = await call.at(station_id)
    sealed = await rt.keys.seal(action_subject(meeting_id, body.action_id), body.owner_name)
    return await call.run(
        MEETING,
        meeting_id,
        Assign(station_id, meeting_id, body, sealed, today()),
        station_id=station_id,
        occurred_at=occurred_on(body.assigned_on),
        respond=changed(201, "meeting_id", action_id=last("action_id")),
    )


@router.post(
    BASE + "/action-items/{action_id}/done", responses=doc.changed(200, "done", **MEETING_LINK)
)
async def complete_action_item(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: CompleteActionItem,
    call: Writing,
):
    return await call.run(
        MEETING,
        meeting_id,
        Complete(station_id, meeting_id, action_id, body, today()),
        station_id=station_id,
        occurred_at=occurred_on(body.done_on),
        respond=changed(200, "meeting_id", action_id=last("action_id"), late=last("late")),
    )


@router.get(
    "/action-items",
    responses=doc.reading(Page[doc.ActionItemListed], "action items, soonest due first"),
)
async def list_action_items(
    request: Request,
    page: Paging,
    station_id: Identifier | None = None,
    status: str = Query(default="open", pattern="^(open|overdue|done|all)$"),
    as_of: Day | None = Query(
        default=None, description="overdue relative to this date; today if absent"
    ),
    who: Principal = Depends(read_access),
):
    """Action items of meetings: open, overdue (open and past due), done, or all."""
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    rows, after = await views.action_items(rt, page, stations, status, as_of or today())
    opened = [await open_action_owner(rt, r, who.role in PERSONAL_DATA_ROLES) for r in rows]
    return page.answer(opened, after)

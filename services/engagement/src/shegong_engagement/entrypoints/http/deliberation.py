"""Deliberation at a meeting: issues, motions under the quorum rule, resolutions, action items."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Query, Request
from shegong_events.calendar import today
from shegong_runtime import openapi
from shegong_runtime.auth import WRITERS
from shegong_runtime.commands import Sealer, changed, last, last_of
from shegong_runtime.inputs import Day, Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Reader, Writing

from shegong_engagement import config, views
from shegong_engagement.domain.action_items import Assign, Complete
from shegong_engagement.domain.deliberation import Adopt, Propose, Vote
from shegong_engagement.domain.meeting import Meeting
from shegong_engagement.entrypoints.http import answers, bodies
from shegong_engagement.entrypoints.http.common import AT_STATION, for_read, meeting, occurred_on
from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    open_action_owners,
)

router = APIRouter(tags=["deliberation"])
BASE = "/stations/{station_id}/meetings/{meeting_id}"
MEETING_LINK = openapi.link(
    "meeting_detail", station_id=AT_STATION, meeting_id="$request.path.meeting_id"
)


@router.post(
    f"{BASE}/issues",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "proposed", meeting=MEETING_LINK),
)
async def propose_issue(
    station_id: Identifier, meeting_id: Identifier, body: bodies.ProposeIssue, call: Writing
):
    proposal = partial(_proposal, station_id, meeting_id, body)
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            proposal,
            changed(201, "meeting_id", issue_id=last("issue_id")),
            subject=issue_subject(meeting_id, body.issue_id),
            occurred_at=occurred_on(body.proposed_on),
        )
    )


async def _proposal(
    station_id: str, meeting_id: str, body: bodies.ProposeIssue, _state: Meeting, seal: Sealer
) -> Propose:
    """The issue, its proposer's name sealed once the caller's scope is settled."""
    facts = body.facts("proposer_name")
    name = await seal(body.proposer_name)
    return Propose(station_id, meeting_id, **facts, proposer_name_sealed=name, today=today())


@router.post(
    f"{BASE}/motions",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "voted", meeting=MEETING_LINK),
)
async def vote_motion(
    station_id: Identifier, meeting_id: Identifier, body: bodies.VoteMotion, call: Writing
):
    """Record a vote; the quorum rule is the meeting's own, else the station's, else the default."""
    fallback = config.settings().quorum_for(station_id, None)
    vote = Vote(station_id, meeting_id, **body.facts(), fallback=fallback)
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            vote,
            changed(201, "meeting_id", **last_of("motion_id", "passed", "quorum_met")),
            occurred_at=occurred_on(body.voted_on),  # the event says the day: as held if absent
        )
    )


@router.post(
    f"{BASE}/resolutions",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "adopted", meeting=MEETING_LINK),
)
async def adopt_resolution(
    station_id: Identifier, meeting_id: Identifier, body: bodies.AdoptResolution, call: Writing
):
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            Adopt(station_id=station_id, meeting_id=meeting_id, **body.facts(), today=today()),
            changed(201, "meeting_id", resolution_id=last("resolution_id")),
            occurred_at=occurred_on(body.adopted_on),
        )
    )


@router.post(
    f"{BASE}/action-items",
    openapi_extra=openapi.IF_MATCH,
    status_code=201,
    responses=openapi.command(201, "assigned", meeting=MEETING_LINK),
)
async def assign_action_item(
    station_id: Identifier, meeting_id: Identifier, body: bodies.AssignActionItem, call: Writing
):
    assignment = partial(_assignment, station_id, meeting_id, body)
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            assignment,
            changed(201, "meeting_id", action_id=last("action_id")),
            subject=action_subject(meeting_id, body.action_id),
            occurred_at=occurred_on(body.assigned_on),
        )
    )


async def _assignment(
    station_id: str, meeting_id: str, body: bodies.AssignActionItem, _state: Meeting, seal: Sealer
) -> Assign:
    """The action item, its owner's name sealed once the caller's scope is settled."""
    facts = body.facts("owner_name")
    name = await seal(body.owner_name)
    return Assign(station_id, meeting_id, **facts, owner_name_sealed=name, today=today())


@router.post(
    BASE + "/action-items/{action_id}/done",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(200, "done", meeting=MEETING_LINK),
)
async def complete_action_item(
    station_id: Identifier,
    meeting_id: Identifier,
    action_id: Identifier,
    body: bodies.CompleteActionItem,
    call: Writing,
):
    done = Complete(station_id, meeting_id, action_id, today(), **body.facts())
    return await call.send(
        meeting(
            station_id,
            meeting_id,
            done,
            changed(200, "meeting_id", action_id=last("action_id"), late=last("late")),
            occurred_at=occurred_on(body.done_on),
        )
    )


@router.get(
    "/action-items",
    responses=openapi.reading(Page[answers.ActionItemListed], "action items, soonest due first"),
)
async def list_action_items(
    request: Request,
    page: Paging,
    who: Reader,
    station_id: Identifier | None = None,
    status: str = Query(default="open", pattern="^(open|overdue|done|all)$"),
    as_of: Day | None = Query(
        default=None, description="overdue relative to this date; today if absent"
    ),
):
    """Action items of meetings: open, overdue (open and past due), done, or all."""
    rt = await for_read(request, who, station_id)
    stations = await rt.stations.scope(who, station_id)
    rows, after = await views.action_items(rt, page, stations, status, as_of or today())
    opened = await open_action_owners(rt, rows, who.role in WRITERS)
    return page.answer(opened, after)

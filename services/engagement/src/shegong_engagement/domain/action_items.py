"""Action items of a meeting: assigned to a role (and sealed name) with a due date, reported done.

Part of the meeting aggregate (its events ride the meeting's stream); `meeting.MEETING`
decides these commands after checking the meeting exists at the station.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from shegong_events import DomainEvent
from shegong_events.engagement import ActionItemAssigned, ActionItemDone, ParticipantRole

from shegong_engagement.domain import facts
from shegong_engagement.domain.errors import (
    ActionItemAlreadyAssigned,
    ActionItemAlreadyDone,
    ActionItemNotFound,
    DateBeforeAssignment,
    UnknownIssue,
    UnknownResolution,
)

if TYPE_CHECKING:
    from shegong_engagement.domain.meeting import Meeting


@dataclass(frozen=True)
class ActionItem:
    title: str
    assigned_on: date
    due_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class Assign:
    station_id: str
    meeting_id: str
    action_id: str
    title: str
    owner_role: ParticipantRole
    due_on: date
    today: date
    owner_name_sealed: str | None = None
    owner_unit: str | None = None
    resolution_id: str | None = None
    issue_id: str | None = None
    assigned_on: date | None = None


@dataclass(frozen=True)
class Complete:
    station_id: str
    meeting_id: str
    action_id: str
    today: date
    done_on: date | None = None
    note: str | None = None


def assign_action_item(state: Meeting, cmd: Assign) -> list[DomainEvent]:
    state.require_open()
    if cmd.action_id in state.actions:
        raise ActionItemAlreadyAssigned(f"行动事项 {cmd.action_id} 已分派", field="action_id")
    if cmd.resolution_id is not None and cmd.resolution_id not in state.resolutions:
        raise UnknownResolution(f"本次会议没有决议 {cmd.resolution_id}", field="resolution_id")
    if cmd.issue_id is not None and cmd.issue_id not in state.issues:
        raise UnknownIssue(f"本次会议没有议题 {cmd.issue_id}", field="issue_id")
    assigned_on = cmd.assigned_on or cmd.today
    if cmd.due_on < assigned_on:
        raise DateBeforeAssignment(
            f"完成期限 {cmd.due_on} 早于分派日期 {assigned_on}", field="due_on"
        )
    data = facts(cmd, "station_id", "meeting_id", "today", "assigned_on")
    return [ActionItemAssigned(**data, assigned_on=assigned_on)]


def complete_action_item(state: Meeting, cmd: Complete) -> list[DomainEvent]:
    action_id = cmd.action_id
    item = state.actions.get(action_id)
    if item is None:
        raise ActionItemNotFound(f"本次会议没有行动事项 {action_id}")
    if item.done_on is not None:
        raise ActionItemAlreadyDone(f"行动事项 {action_id} 已于 {item.done_on} 完成")
    done_on = cmd.done_on or cmd.today
    if done_on < item.assigned_on:
        raise DateBeforeAssignment(
            f"完成日期 {done_on} 早于分派日期 {item.assigned_on}", field="done_on"
        )
    return [
        ActionItemDone(
            action_id=action_id,
            title=item.title,
            due_on=item.due_on,
            done_on=done_on,
            late=done_on > item.due_on,
            note=cmd.note,
        )
    ]


def decide(command: Assign | Complete, state: Meeting) -> list[DomainEvent]:
    match command:
        case Assign():
            return assign_action_item(state, command)
        case Complete():
            return complete_action_item(state, command)


def evolve_action_items(state: Meeting, event: DomainEvent) -> Meeting:
    if isinstance(event, ActionItemAssigned):
        item = ActionItem(event.title, event.assigned_on, event.due_on)
        return replace(state, actions={**state.actions, event.action_id: item})
    if isinstance(event, ActionItemDone):
        done = replace(state.actions[event.action_id], done_on=event.done_on)
        return replace(state, actions={**state.actions, event.action_id: done})
    return state

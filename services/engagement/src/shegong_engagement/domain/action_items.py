"""Action items of a meeting: assigned to a role (and sealed name) with a due date, reported done.

Part of the meeting aggregate (its events ride the meeting's stream); `meeting.MEETING`
decides these commands after checking the meeting exists at the station.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field
from shegong_events import DomainEvent
from shegong_events.engagement import (
    ID,
    ActionItemAssigned,
    ActionItemDone,
    ParticipantRole,
)
from shegong_runtime.inputs import MULTILINE

from shegong_engagement.domain import CommandBody
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


class AssignActionItem(CommandBody):
    action_id: str = Field(pattern=ID)
    title: str = Field(examples=["联系电梯公司出具报价"], min_length=1, max_length=500)
    resolution_id: str | None = Field(default=None, pattern=ID)
    issue_id: str | None = Field(default=None, pattern=ID)
    owner_role: ParticipantRole
    owner_unit: str | None = Field(examples=["福东社区居委会"], default=None, max_length=100)
    owner_name: str | None = Field(
        default=None, max_length=50, description="sealed; never published"
    )
    assigned_on: date | None = None
    due_on: date


class CompleteActionItem(CommandBody):
    done_on: date | None = None
    note: str | None = Field(
        examples=["报价已张贴公示"], default=None, max_length=2000, json_schema_extra=MULTILINE
    )


@dataclass(frozen=True)
class Assign:
    station_id: str
    meeting_id: str
    request: AssignActionItem
    owner_name_sealed: str | None
    today: date


@dataclass(frozen=True)
class Complete:
    station_id: str
    meeting_id: str
    action_id: str
    request: CompleteActionItem
    today: date


def assign_action_item(
    state: Meeting, cmd: AssignActionItem, name_sealed: str | None, today: date
) -> list[DomainEvent]:
    state.require_open()
    if cmd.action_id in state.actions:
        raise ActionItemAlreadyAssigned(
            f"action item {cmd.action_id} is already assigned", field="action_id"
        )
    if cmd.resolution_id is not None and cmd.resolution_id not in state.resolutions:
        raise UnknownResolution(
            f"no resolution {cmd.resolution_id} at this meeting", field="resolution_id"
        )
    if cmd.issue_id is not None and cmd.issue_id not in state.issues:
        raise UnknownIssue(f"no issue {cmd.issue_id} at this meeting", field="issue_id")
    assigned_on = cmd.assigned_on or today
    if cmd.due_on < assigned_on:
        raise DateBeforeAssignment(
            f"due {cmd.due_on} before assigned {assigned_on}", field="due_on"
        )
    data = cmd.model_dump(exclude={"owner_name", "assigned_on"})
    return [ActionItemAssigned(**data, owner_name_sealed=name_sealed, assigned_on=assigned_on)]


def complete_action_item(
    state: Meeting, action_id: str, cmd: CompleteActionItem, today: date
) -> list[DomainEvent]:
    item = state.actions.get(action_id)
    if item is None:
        raise ActionItemNotFound(f"no action item {action_id} at this meeting")
    if item.done_on is not None:
        raise ActionItemAlreadyDone(f"action item {action_id} was done on {item.done_on}")
    done_on = cmd.done_on or today
    if done_on < item.assigned_on:
        raise DateBeforeAssignment(
            f"done {done_on} before assigned {item.assigned_on}", field="done_on"
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
        case Assign(request=r, owner_name_sealed=sealed, today=today):
            return assign_action_item(state, r, sealed, today)
        case Complete(action_id=action_id, request=r, today=today):
            return complete_action_item(state, action_id, r, today)


def evolve_action_items(state: Meeting, event: DomainEvent) -> Meeting:
    if isinstance(event, ActionItemAssigned):
        item = ActionItem(event.title, event.assigned_on, event.due_on)
        return replace(state, actions={**state.actions, event.action_id: item})
    if isinstance(event, ActionItemDone):
        done = replace(state.actions[event.action_id], done_on=event.done_on)
        return replace(state, actions={**state.actions, event.action_id: done})
    return state

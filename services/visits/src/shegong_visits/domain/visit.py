"""Scheduling and recording visits, and setting follow-ups (pure rules of the household decider)."""

from __future__ import annotations

from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.calendar import local_date
from shegong_events.visits import FollowUpScheduled, NeedIdentified, VisitRecorded, VisitScheduled
from shegong_runtime.errors import Conflict, DomainError

from shegong_visits.domain.commands import RecordVisit, ScheduleFollowUp, ScheduleVisit
from shegong_visits.domain.need import UnknownNeed, check_new_need
from shegong_visits.domain.policy import VisitDatedInFuture, VisitPolicy, not_in_future
from shegong_visits.domain.state import (
    Household,
    due_after,
    followed_up,
    require_active,
    visited,
)


class VisitAlreadyScheduled(Conflict):
    """A visit id is scheduled once."""


class VisitAlreadyRecorded(Conflict):
    """A visit is recorded once; a second visit gets an id of its own."""


class FollowUpBeforeVisit(DomainError):
    """A follow-up comes after the visit it follows."""


class PolicyBriefingWithoutPolicy(DomainError):
    """A policy briefing (政策宣传) names the policies explained."""


def schedule(cmd: ScheduleVisit, state: Household) -> list[DomainEvent]:
    require_active(state)
    if cmd.visit_id in state.scheduled or cmd.visit_id in state.recorded:
        raise VisitAlreadyScheduled(f"走访 {cmd.visit_id} 已安排", field="visit_id")
    return [
        VisitScheduled(
            visit_id=cmd.visit_id,
            scheduled_for=cmd.scheduled_for,
            social_worker_id=cmd.social_worker_id,
            purposes=list(cmd.purposes),
        )
    ]


def _check_services(cmd: RecordVisit) -> None:
    for i, service in enumerate(cmd.services):
        if service.kind == "policy_briefing" and not service.policies:
            raise PolicyBriefingWithoutPolicy(
                "政策宣传须注明所宣传的政策", field=f"services.{i}.policies"
            )


def _needs_found(cmd: RecordVisit, state: Household, visit_day: date) -> list[NeedIdentified]:
    """The needs found, identified on the visit's station day; each id new to the household."""
    needs = [
        NeedIdentified(
            need_id=n.need_id,
            category=n.category,
            severity=n.severity,
            member_id=n.member_id,
            visit_id=cmd.visit_id,
            identified_on=visit_day,
            notes_sealed=n.notes_sealed,
        )
        for n in cmd.needs
    ]
    seen: set[str] = set()
    for i, need in enumerate(needs):
        check_new_need(state, need, seen, prefix=f"needs.{i}.")
        seen.add(need.need_id)
    return needs


def record(
    cmd: RecordVisit, state: Household, policy: VisitPolicy, now: datetime
) -> list[DomainEvent]:
    require_active(state)
    not_in_future(cmd.visited_at, now, "visited_at", VisitDatedInFuture)
    if cmd.visit_id in state.recorded:
        raise VisitAlreadyRecorded(f"走访 {cmd.visit_id} 已记录", field="visit_id")
    visit_day = local_date(cmd.visited_at)
    if cmd.next_follow_up_on is not None and cmd.next_follow_up_on < visit_day:
        raise FollowUpBeforeVisit("下次跟进日期早于本次走访", field="next_follow_up_on")
    _check_services(cmd)
    needs = _needs_found(cmd, state, visit_day)
    due = due_after(visited(state, cmd.visited_at, cmd.next_follow_up_on), policy)
    visit = VisitRecorded(
        visit_id=cmd.visit_id,
        was_scheduled=cmd.visit_id in state.scheduled,
        visited_at=cmd.visited_at,
        mode=cmd.mode,
        social_worker_ids=list(cmd.social_worker_ids),
        volunteer_ids=list(cmd.volunteer_ids),
        services=list(cmd.services),
        observations_sealed=cmd.observations_sealed,
        risks_observed=cmd.risks_observed,
        notes_sealed=cmd.notes_sealed,
        needs_identified=len(needs),
        next_follow_up_on=cmd.next_follow_up_on,
        next_due_at=due,
    )
    return [visit, *needs]


def follow_up(cmd: ScheduleFollowUp, state: Household, policy: VisitPolicy) -> list[DomainEvent]:
    require_active(state)
    if state.last_visit_at is not None and cmd.follow_up_on < local_date(state.last_visit_at):
        raise FollowUpBeforeVisit("跟进日期早于最近一次走访", field="follow_up_on")
    if cmd.need_id is not None and cmd.need_id not in state.needs:
        raise UnknownNeed(f"户内没有需求 {cmd.need_id}", field="need_id")
    due = due_after(followed_up(state, cmd.follow_up_on), policy)
    return [
        FollowUpScheduled(
            follow_up_on=cmd.follow_up_on,
            social_worker_id=cmd.social_worker_id,
            need_id=cmd.need_id,
            next_due_at=due,
        )
    ]

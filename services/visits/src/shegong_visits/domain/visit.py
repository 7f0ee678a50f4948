"""Scheduling and recording visits, and setting follow-ups (pure decide functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.visits import (
    FollowUpScheduled,
    NeedIdentified,
    ServiceGiven,
    VisitRecorded,
    VisitScheduled,
)
from shegong_runtime.errors import Conflict, DomainError

from shegong_visits.domain.household import Household, require_active
from shegong_visits.domain.need import UnknownNeed, check_new_need
from shegong_visits.domain.policy import (
    STATION_TZ,
    VisitDatedInFuture,
    VisitPolicy,
    as_aware,
    not_in_future,
)
from shegong_visits.domain.registration import UNSET_DUE, with_due


class VisitAlreadyScheduled(Conflict):
    """A visit id is scheduled once."""


class VisitAlreadyRecorded(Conflict):
    """A visit is recorded once; a second visit gets an id of its own."""


class FollowUpBeforeVisit(DomainError):
    """A follow-up comes after the visit it follows."""


class PolicyBriefingWithoutPolicy(DomainError):
    """A policy briefing (政策宣传) names the policies explained."""


@dataclass(frozen=True)
class RecordVisit:
    visit_id: str
    visited_at: datetime
    mode: str
    social_worker_ids: tuple[str, ...]
    volunteer_ids: tuple[str, ...] = ()
    services: tuple[ServiceGiven, ...] = ()
    observations_sealed: str | None = None
    risks_observed: int = 0
    notes_sealed: str | None = None
    next_follow_up_on: date | None = None
    needs: tuple[NeedIdentified, ...] = ()  # found on this visit: appended with it or not at all


@dataclass(frozen=True)
class ScheduleFollowUp:
    follow_up_on: date
    social_worker_id: str
    need_id: str | None = None


def schedule(state: Household, household_id: str, event: VisitScheduled) -> list[DomainEvent]:
    require_active(state, household_id)
    if event.visit_id in state.scheduled or event.visit_id in state.recorded:
        raise VisitAlreadyScheduled(f"走访 {event.visit_id} 已安排", field="visit_id")
    return [event]


def record(
    state: Household, household_id: str, cmd: RecordVisit, policy: VisitPolicy, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    not_in_future(cmd.visited_at, now, "visited_at", VisitDatedInFuture)
    if cmd.visit_id in state.recorded:
        raise VisitAlreadyRecorded(f"走访 {cmd.visit_id} 已记录", field="visit_id")
    visited_at = as_aware(cmd.visited_at)
    visit_day = visited_at.astimezone(STATION_TZ).date()
    if cmd.next_follow_up_on is not None and cmd.next_follow_up_on < visit_day:
        raise FollowUpBeforeVisit("下次跟进日期早于本次走访", field="next_follow_up_on")
    for i, service in enumerate(cmd.services):
        if service.kind == "policy_briefing" and not service.policies:
            raise PolicyBriefingWithoutPolicy(
                "政策宣传须注明所宣传的政策", field=f"services.{i}.policies"
            )
    needs = [
        n.model_copy(update={"visit_id": cmd.visit_id, "identified_on": visit_day})
        for n in cmd.needs
    ]
    seen: set[str] = set()
    for i, need in enumerate(needs):
        check_new_need(state, need, seen, prefix=f"needs.{i}.")
        seen.add(need.need_id)
    visit = VisitRecorded(
        visit_id=cmd.visit_id,
        was_scheduled=cmd.visit_id in state.scheduled,
        visited_at=visited_at,
        mode=cmd.mode,  # type: ignore[arg-type]
        social_worker_ids=list(cmd.social_worker_ids),
        volunteer_ids=list(cmd.volunteer_ids),
        services=list(cmd.services),
        observations_sealed=cmd.observations_sealed,
        risks_observed=cmd.risks_observed,
        notes_sealed=cmd.notes_sealed,
        needs_identified=len(needs),
        next_follow_up_on=cmd.next_follow_up_on,
        next_due_at=UNSET_DUE,
    )
    return [with_due(state, visit, policy), *needs]


def follow_up(
    state: Household, household_id: str, cmd: ScheduleFollowUp, policy: VisitPolicy
) -> list[DomainEvent]:
    require_active(state, household_id)
    if (
        state.last_visit_at is not None
        and cmd.follow_up_on < state.last_visit_at.astimezone(STATION_TZ).date()
    ):
        raise FollowUpBeforeVisit("跟进日期早于最近一次走访", field="follow_up_on")
    if cmd.need_id is not None and cmd.need_id not in state.needs:
        raise UnknownNeed(f"户内没有需求 {cmd.need_id}", field="need_id")
    event = FollowUpScheduled(
        follow_up_on=cmd.follow_up_on,
        social_worker_id=cmd.social_worker_id,
        need_id=cmd.need_id,
        next_due_at=UNSET_DUE,
    )
    return [with_due(state, event, policy)]

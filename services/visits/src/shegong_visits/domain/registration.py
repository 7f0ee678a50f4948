"""Registering, updating, tiering and erasing a household (pure rules of the household decider)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shegong_events import DomainEvent
from shegong_events.calendar import local_date
from shegong_events.visits import (
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    Member,
    NeedClosed,
    RiskTierAssigned,
)
from shegong_runtime.errors import DomainError

from shegong_visits.domain.commands import (
    AssignRiskTier,
    EraseHousehold,
    RegisterHousehold,
    UpdateHousehold,
)
from shegong_visits.domain.policy import VisitPolicy, not_in_future
from shegong_visits.domain.state import (
    Household,
    HouseholdAlreadyRegistered,
    due_after,
    evolve,
    require_active,
    tiered,
)


class MemberIdRepeated(DomainError):
    """Each member of a household has an id of its own."""


class NothingToUpdate(DomainError):
    """An update changes at least one field."""


def _unique_members(members: Sequence[Member]) -> None:
    ids = [m.member_id for m in members]
    if len(ids) != len(set(ids)):
        raise MemberIdRepeated("成员编号重复", field="members")


def register(
    cmd: RegisterHousehold, state: Household, policy: VisitPolicy, now: datetime
) -> list[DomainEvent]:
    """A household is registered once, with its first risk tier (which sets the first due date)."""
    if state.registered:
        raise HouseholdAlreadyRegistered(f"家庭 {cmd.household_id} 已登记", field="household_id")
    not_in_future(cmd.registered_at, now, "registered_at")
    _unique_members(cmd.members)
    registered = HouseholdRegistered(
        station_id=cmd.station_id,
        household_id=cmd.household_id,
        categories=list(dict.fromkeys(cmd.categories)),
        community=cmd.community,
        member_count=1 + len(cmd.members),
        members=list(cmd.members),
        head_name_sealed=cmd.head_name_sealed,
        phone_sealed=cmd.phone_sealed,
        address_sealed=cmd.address_sealed,
        id_number_sealed=cmd.id_number_sealed,
        registered_at=cmd.registered_at,
    )
    first = AssignRiskTier(cmd.tier, cmd.tier_reason, cmd.registered_at)
    return [registered, *assign_tier(first, evolve(state, registered), policy, now, first=True)]


def update(cmd: UpdateHousehold, state: Household, now: datetime) -> list[DomainEvent]:
    require_active(state)
    not_in_future(cmd.updated_at, now, "updated_at")
    event = HouseholdUpdated(
        categories=list(cmd.categories) if cmd.categories is not None else None,
        community=cmd.community,
        members=list(cmd.members) if cmd.members is not None else None,
        head_name_sealed=cmd.head_name_sealed,
        phone_sealed=cmd.phone_sealed,
        address_sealed=cmd.address_sealed,
        id_number_sealed=cmd.id_number_sealed,
        updated_at=cmd.updated_at,
    )
    if not event.model_dump(exclude={"updated_at"}, exclude_none=True):
        raise NothingToUpdate("没有要更新的内容", field="body")
    if event.members is not None:
        _unique_members(event.members)
        event = event.model_copy(update={"member_count": 1 + len(event.members)})
    return [event]


def assign_tier(
    cmd: AssignRiskTier, state: Household, policy: VisitPolicy, now: datetime, first: bool = False
) -> list[DomainEvent]:
    """The tier and the next visit it makes due: one interval after the last contact, sooner
    after a major change."""
    require_active(state)
    not_in_future(cmd.assigned_at, now, "assigned_at")
    due = due_after(tiered(state, cmd.tier, cmd.assigned_at, cmd.major_change), policy)
    return [
        RiskTierAssigned(
            tier=cmd.tier,
            previous_tier=None if first else state.tier,
            reason=cmd.reason,
            major_change=cmd.major_change,
            assigned_at=cmd.assigned_at,
            next_due_at=due,
        )
    ]


def erase(cmd: EraseHousehold, state: Household, now: datetime) -> list[DomainEvent]:
    """Open needs are closed first, so subscribers counting open needs see them go."""
    require_active(state)
    today = local_date(now)
    closed = [
        NeedClosed(
            need_id=n.need_id,
            category=n.category,
            severity=n.severity,
            reason="household_erased",
            closed_on=today,
        )
        for n in state.needs.values()
        if not n.settled
    ]
    return [*closed, HouseholdErased(reason=cmd.reason, erased_at=now, needs_closed=len(closed))]

"""Registering, updating, tiering and erasing a household (pure decide functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shegong_events import DomainEvent
from shegong_events.visits import (
    ErasureReason,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    Member,
    NeedClosed,
    RiskTier,
    RiskTierAssigned,
    TierReason,
)
from shegong_runtime.errors import DomainError

from shegong_visits.domain.household import (
    Household,
    HouseholdAlreadyRegistered,
    apply,
    due_after,
    require_active,
)
from shegong_visits.domain.policy import VisitPolicy, as_aware, not_in_future, station_today

UNSET_DUE = datetime.min.replace(tzinfo=UTC)  # replaced by `with_due` before the event leaves


class MemberIdRepeated(DomainError):
    """Each member of a household has an id of its own."""


class NothingToUpdate(DomainError):
    """An update changes at least one field."""


@dataclass(frozen=True)
class RegisterHousehold:
    household_id: str
    categories: tuple[str, ...]
    community: str | None
    members: tuple[Member, ...]
    head_name_sealed: str
    phone_sealed: str | None
    address_sealed: str | None
    id_number_sealed: str | None
    registered_at: datetime
    tier: RiskTier = "general"
    tier_reason: TierReason = "initial_assessment"


@dataclass(frozen=True)
class AssignRiskTier:
    tier: RiskTier
    reason: TierReason
    assigned_at: datetime
    major_change: bool = False


def with_due(state: Household, event: DomainEvent, policy: VisitPolicy) -> DomainEvent:
    """The event with `next_due_at` computed from the state it leads to."""
    return event.model_copy(update={"next_due_at": due_after(apply(state, event), policy)})


def _unique_members(members: Sequence[Member]) -> None:
    ids = [m.member_id for m in members]
    if len(ids) != len(set(ids)):
        raise MemberIdRepeated("成员编号重复", field="members")


def register(
    state: Household, cmd: RegisterHousehold, policy: VisitPolicy, now: datetime
) -> list[DomainEvent]:
    if state.registered:
        raise HouseholdAlreadyRegistered(f"家庭 {cmd.household_id} 已登记", field="household_id")
    not_in_future(cmd.registered_at, now, "registered_at")
    _unique_members(cmd.members)
    registered = HouseholdRegistered(
        household_id=cmd.household_id,
        categories=list(dict.fromkeys(cmd.categories)),
        community=cmd.community,
        member_count=1 + len(cmd.members),
        members=list(cmd.members),
        head_name_sealed=cmd.head_name_sealed,
        phone_sealed=cmd.phone_sealed,
        address_sealed=cmd.address_sealed,
        id_number_sealed=cmd.id_number_sealed,
        registered_at=as_aware(cmd.registered_at),
    )
    tiered = assign_tier(
        apply(state, registered),
        AssignRiskTier(cmd.tier, cmd.tier_reason, cmd.registered_at),
        policy,
        now,
        first=True,
    )
    return [registered, *tiered]


def update(
    state: Household, household_id: str, event: HouseholdUpdated, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    not_in_future(event.updated_at, now, "updated_at")
    if not event.model_dump(exclude={"updated_at"}, exclude_none=True):
        raise NothingToUpdate("没有要更新的内容", field="body")
    if event.members is not None:
        _unique_members(event.members)
        event = event.model_copy(update={"member_count": 1 + len(event.members)})
    return [event]


def assign_tier(
    state: Household, cmd: AssignRiskTier, policy: VisitPolicy, now: datetime, first: bool = False
) -> list[DomainEvent]:
    require_active(state, state.household_id)
    not_in_future(cmd.assigned_at, now, "assigned_at")
    event = RiskTierAssigned(
        tier=cmd.tier,
        previous_tier=None if first else state.tier,
        reason=cmd.reason,
        major_change=cmd.major_change,
        assigned_at=as_aware(cmd.assigned_at),
        next_due_at=UNSET_DUE,
    )
    return [with_due(state, event, policy)]


def erase(
    state: Household, household_id: str, reason: ErasureReason, now: datetime
) -> list[DomainEvent]:
    """Open needs are closed first, so subscribers counting open needs see them go."""
    require_active(state, household_id)
    today = station_today(now)
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
    return [*closed, HouseholdErased(reason=reason, erased_at=now, needs_closed=len(closed))]

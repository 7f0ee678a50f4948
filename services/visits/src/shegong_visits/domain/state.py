"""What a household's events add up to, and how one more event changes it (pure).

The decider (`domain.household`) reads this state to choose events; the read of one household
(`GET /households/{id}`) shows it. The moves that set when the next visit is due (`tiered`,
`visited`, `followed_up`) are shared: the decider looks ahead with them to put the due date into
the event, and `evolve` replays them from the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from shegong_events import DomainEvent
from shegong_events.visits import (
    ConsentGranted,
    ConsentPurpose,
    ConsentWithdrawn,
    FollowUpScheduled,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    LawfulBasis,
    LegalBasis,
    LegalBasisRecorded,
    Member,
    NeedCategory,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    NeedStatus,
    RiskTier,
    RiskTierAssigned,
    Severity,
    VisitRecorded,
    VisitScheduled,
)
from shegong_runtime.errors import Conflict, DomainError, NotFound

from shegong_visits.domain.policy import VisitPolicy, end_of_day

SEALED = ("head_name_sealed", "phone_sealed", "address_sealed", "id_number_sealed")


class HouseholdNotFound(NotFound):
    """No household is registered under this id."""


class HouseholdAlreadyRegistered(Conflict):
    """A household id is registered once."""


class HouseholdAlreadyErased(Conflict):
    """An erased household takes no more commands: its personal data is gone for good."""


class UnknownMember(DomainError):
    """The member named is not one of the household's members."""


@dataclass(frozen=True)
class Need:
    need_id: str
    category: NeedCategory
    severity: Severity
    member_id: str | None
    identified_on: date
    status: NeedStatus = "open"

    @property
    def settled(self) -> bool:
        return self.status in ("resolved", "closed")


@dataclass(frozen=True)
class Household:
    registered: bool = False
    erased: bool = False
    household_id: str = ""
    station_id: str = ""
    categories: tuple[str, ...] = ()
    community: str | None = None
    member_count: int = 0
    members: tuple[Member, ...] = ()
    sealed: Mapping[str, str | None] = field(default_factory=dict)  # head's personal data, sealed
    registered_at: datetime | None = None
    tier: RiskTier = "general"
    major_change_at: datetime | None = None
    last_visit_at: datetime | None = None
    follow_up_due: datetime | None = None
    next_due_at: datetime | None = None
    scheduled: frozenset[str] = frozenset()
    recorded: frozenset[str] = frozenset()
    needs: Mapping[str, Need] = field(default_factory=dict)
    consents: frozenset[tuple[str, str | None]] = frozenset()  # (purpose, member_id)
    legal_bases: Mapping[str, LegalBasis] = field(default_factory=dict)  # purpose → basis

    def member(self, member_id: str | None, field: str = "member_id") -> Member | None:
        if member_id is None:
            return None
        for m in self.members:
            if m.member_id == member_id:
                return m
        raise UnknownMember(f"户内没有成员 {member_id}", field=field)

    def lawful_basis(self, purpose: ConsentPurpose, member_id: str | None) -> LawfulBasis | None:
        """'consent' or 'legal_basis' when this purpose is covered for that person, else None."""
        if (purpose, member_id) in self.consents:
            return "consent"
        if purpose in self.legal_bases:
            return "legal_basis"
        return None


def require_active(state: Household, household_id: str | None = None) -> None:
    """Commands go to a registered household whose personal data was not erased."""
    household_id = household_id or state.household_id
    if not state.registered:
        raise HouseholdNotFound(f"未登记的家庭 {household_id}")
    if state.erased:
        raise HouseholdAlreadyErased(
            f"家庭 {household_id} 的个人信息已删除，不再受理", field="household_id"
        )


def due_after(state: Household, policy: VisitPolicy) -> datetime:
    """The next visit is due one tier interval after the last contact, sooner after a major
    change or when a follow-up date comes first."""
    anchor = state.last_visit_at or state.registered_at
    assert anchor is not None
    due = anchor + policy.interval(state.tier)
    if state.major_change_at and (
        state.last_visit_at is None or state.major_change_at > state.last_visit_at
    ):
        due = min(due, state.major_change_at + policy.major_change)
    if state.follow_up_due is not None:
        due = min(due, state.follow_up_due)
    return due


def tiered(
    state: Household, tier: RiskTier, assigned_at: datetime, major_change: bool
) -> Household:
    """The household on a new tier; a major change brings the next visit forward."""
    major = assigned_at if major_change else state.major_change_at
    return replace(state, tier=tier, major_change_at=major)


def late_entry(state: Household, visited_at: datetime) -> bool:
    """A visit older than the last one recorded: entered late, it moves no dates."""
    return state.last_visit_at is not None and visited_at < state.last_visit_at


def visited(state: Household, visited_at: datetime, next_follow_up_on: date | None) -> Household:
    """The household after a visit: the last contact, and the follow-up it set (if any)."""
    if late_entry(state, visited_at):
        return state
    follow = end_of_day(next_follow_up_on) if next_follow_up_on else None
    return replace(state, last_visit_at=visited_at, follow_up_due=follow)


def followed_up(state: Household, follow_up_on: date) -> Household:
    """The household with a follow-up set: the earlier of it and one already set."""
    due = end_of_day(follow_up_on)
    return replace(
        state, follow_up_due=min(state.follow_up_due, due) if state.follow_up_due else due
    )


def _needs(state: Household, need_id: str, **changes: Any) -> dict[str, Need]:
    return {**state.needs, need_id: replace(state.needs[need_id], **changes)}


def _registered(state: Household, e: HouseholdRegistered) -> Household:
    return replace(
        state,
        registered=True,
        household_id=e.household_id,
        station_id=e.station_id or "",
        categories=tuple(e.categories),
        community=e.community,
        member_count=e.member_count,
        members=tuple(e.members),
        sealed={k: getattr(e, k) for k in SEALED},
        registered_at=e.registered_at,
    )


def _updated(state: Household, e: HouseholdUpdated) -> Household:
    return replace(
        state,
        categories=tuple(e.categories or state.categories),
        community=e.community or state.community,
        member_count=e.member_count or state.member_count,
        members=tuple(e.members) if e.members is not None else state.members,
        sealed={k: getattr(e, k) or state.sealed.get(k) for k in SEALED},
    )


def _tiered(state: Household, e: RiskTierAssigned) -> Household:
    moved = tiered(state, e.tier, e.assigned_at, e.major_change)
    return replace(moved, next_due_at=e.next_due_at)


def _scheduled(state: Household, e: VisitScheduled) -> Household:
    return replace(state, scheduled=state.scheduled | {e.visit_id})


def _visited(state: Household, e: VisitRecorded) -> Household:
    recorded, scheduled = state.recorded | {e.visit_id}, state.scheduled - {e.visit_id}
    if late_entry(state, e.visited_at):
        return replace(state, recorded=recorded, scheduled=scheduled)
    moved = visited(state, e.visited_at, e.next_follow_up_on)
    return replace(moved, recorded=recorded, scheduled=scheduled, next_due_at=e.next_due_at)


def _follow_up(state: Household, e: FollowUpScheduled) -> Household:
    return replace(followed_up(state, e.follow_up_on), next_due_at=e.next_due_at)


def _need_identified(state: Household, e: NeedIdentified) -> Household:
    need = Need(e.need_id, e.category, e.severity, e.member_id, e.identified_on)
    return replace(state, needs={**state.needs, e.need_id: need})


def _need_referred(state: Household, e: NeedReferred) -> Household:
    return replace(state, needs=_needs(state, e.need_id, status="referred"))


def _need_resolved(state: Household, e: NeedResolved) -> Household:
    return replace(state, needs=_needs(state, e.need_id, status="resolved"))


def _need_closed(state: Household, e: NeedClosed) -> Household:
    return replace(state, needs=_needs(state, e.need_id, status="closed"))


def _consented(state: Household, e: ConsentGranted) -> Household:
    return replace(state, consents=state.consents | {(e.purpose, e.member_id)})


def _withdrawn(state: Household, e: ConsentWithdrawn) -> Household:
    return replace(state, consents=state.consents - {(e.purpose, e.member_id)})


def _legal_basis(state: Household, e: LegalBasisRecorded) -> Household:
    return replace(state, legal_bases={**state.legal_bases, e.purpose: e.basis})


def _erased(state: Household, e: HouseholdErased) -> Household:
    closed = {k: n if n.settled else replace(n, status="closed") for k, n in state.needs.items()}
    # sealed values stay: their key is gone, so readers show them redacted
    return replace(state, erased=True, needs=closed, consents=frozenset(), next_due_at=None)


EVOLVE: dict[type[DomainEvent], Callable[[Household, Any], Household]] = {
    HouseholdRegistered: _registered,
    HouseholdUpdated: _updated,
    RiskTierAssigned: _tiered,
    VisitScheduled: _scheduled,
    VisitRecorded: _visited,
    FollowUpScheduled: _follow_up,
    NeedIdentified: _need_identified,
    NeedReferred: _need_referred,
    NeedResolved: _need_resolved,
    NeedClosed: _need_closed,
    ConsentGranted: _consented,
    ConsentWithdrawn: _withdrawn,
    LegalBasisRecorded: _legal_basis,
    HouseholdErased: _erased,
}


def evolve(state: Household, event: DomainEvent) -> Household:
    """Fold one event into the state (pure; the rules use it to look ahead)."""
    step = EVOLVE.get(type(event))
    return step(state, event) if step else state

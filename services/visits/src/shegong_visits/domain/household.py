"""The household aggregate: one stream holds its registration, tier, visits, needs and consent.

A household is the consistency boundary: a referral checks the consent recorded on the same
stream, and a visit's needs are appended with the visit or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from shegong_events import DomainEvent, Envelope
from shegong_events.visits import (
    ConsentGranted,
    ConsentPurpose,
    ConsentWithdrawn,
    FollowUpScheduled,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    LegalBasisRecorded,
    Member,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    RiskTier,
    RiskTierAssigned,
    VisitRecorded,
    VisitScheduled,
)
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, DomainError, NotFound

from shegong_visits.domain.policy import VisitPolicy, end_of_day

NeedStatus = Literal["open", "referred", "resolved", "closed"]
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
    category: str
    severity: str
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
    legal_bases: Mapping[str, str] = field(default_factory=dict)  # purpose → basis

    def member(self, member_id: str | None, field: str = "member_id") -> Member | None:
        if member_id is None:
            return None
        for m in self.members:
            if m.member_id == member_id:
                return m
        raise UnknownMember(f"户内没有成员 {member_id}", field=field)

    def lawful_basis(self, purpose: ConsentPurpose, member_id: str | None) -> str | None:
        """'consent' or 'legal_basis' when this purpose is covered for that person, else None."""
        if (purpose, member_id) in self.consents:
            return "consent"
        if purpose in self.legal_bases:
            return "legal_basis"
        return None


def require_active(state: Household, household_id: str) -> None:
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


def _needs(state: Household, need_id: str, **changes: object) -> dict[str, Need]:
    return {**state.needs, need_id: replace(state.needs[need_id], **changes)}


def apply(state: Household, event: DomainEvent) -> Household:
    """Fold one event into the state (pure; the decide functions use it to look ahead)."""
    match event:
        case HouseholdRegistered():
            return replace(
                state,
                registered=True,
                household_id=event.household_id,
                categories=tuple(event.categories),
                community=event.community,
                member_count=event.member_count,
                members=tuple(event.members),
                sealed={k: getattr(event, k) for k in SEALED},
                registered_at=event.registered_at,
            )
        case HouseholdUpdated():
            sealed = {k: getattr(event, k) or state.sealed.get(k) for k in SEALED}
            return replace(
                state,
                categories=tuple(event.categories or state.categories),
                community=event.community or state.community,
                member_count=event.member_count or state.member_count,
                members=tuple(event.members) if event.members is not None else state.members,
                sealed=sealed,
            )
        case RiskTierAssigned():
            major = event.assigned_at if event.major_change else state.major_change_at
            return replace(
                state, tier=event.tier, major_change_at=major, next_due_at=event.next_due_at
            )
        case VisitScheduled():
            return replace(state, scheduled=state.scheduled | {event.visit_id})
        case VisitRecorded():
            visits = {
                "recorded": state.recorded | {event.visit_id},
                "scheduled": state.scheduled - {event.visit_id},
            }
            if state.last_visit_at is not None and event.visited_at < state.last_visit_at:
                return replace(state, **visits)  # a late entry of an older visit moves no dates
            follow = end_of_day(event.next_follow_up_on) if event.next_follow_up_on else None
            return replace(
                state,
                **visits,
                last_visit_at=event.visited_at,
                follow_up_due=follow,
                next_due_at=event.next_due_at,
            )
        case FollowUpScheduled():
            due = end_of_day(event.follow_up_on)
            follow = min(state.follow_up_due, due) if state.follow_up_due else due
            return replace(state, follow_up_due=follow, next_due_at=event.next_due_at)
        case NeedIdentified():
            need = Need(
                event.need_id, event.category, event.severity, event.member_id, event.identified_on
            )
            return replace(state, needs={**state.needs, event.need_id: need})
        case NeedReferred():
            return replace(state, needs=_needs(state, event.need_id, status="referred"))
        case NeedResolved():
            return replace(state, needs=_needs(state, event.need_id, status="resolved"))
        case NeedClosed():
            return replace(state, needs=_needs(state, event.need_id, status="closed"))
        case ConsentGranted():
            return replace(state, consents=state.consents | {(event.purpose, event.member_id)})
        case ConsentWithdrawn():
            return replace(state, consents=state.consents - {(event.purpose, event.member_id)})
        case LegalBasisRecorded():
            return replace(state, legal_bases={**state.legal_bases, event.purpose: event.basis})
        case HouseholdErased():
            closed = {
                k: n if n.settled else replace(n, status="closed") for k, n in state.needs.items()
            }
            # sealed values stay: their key is gone, so readers show them redacted
            return replace(state, erased=True, needs=closed, consents=frozenset(), next_due_at=None)
    return state


class HouseholdAggregate(Aggregate[Household]):
    aggregate_type = "household"

    def initial(self) -> Household:
        return Household()

    def evolve(self, state: Household, event: DomainEvent, envelope: Envelope) -> Household:
        state = apply(state, event)
        if isinstance(event, HouseholdRegistered):
            state = replace(state, station_id=envelope.station_id)
        return state


HOUSEHOLD = HouseholdAggregate()

"""What callers ask of a household: one frozen command per request, imperative names.

Personal data arrives already sealed (`*_sealed`): the route seals with the household's key
before the decider sees the command, so the domain never holds plaintext. Times arrive with
their zone: the edge that parses them gives a zoneless time the station's
(`shegong_runtime.inputs.When`), and nothing after it normalises them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shegong_events.visits import (
    AgencyKind,
    ClosureReason,
    ConsentGiver,
    ConsentPurpose,
    ErasureReason,
    HouseholdCategory,
    LegalBasis,
    Member,
    NeedCategory,
    Relation,
    ResolutionOutcome,
    RiskTier,
    ServiceGiven,
    Severity,
    TierReason,
    VisitMode,
    VisitPurpose,
)


@dataclass(frozen=True)
class RegisterHousehold:
    household_id: str
    categories: tuple[HouseholdCategory, ...]
    community: str | None
    members: tuple[Member, ...]
    head_name_sealed: str
    phone_sealed: str | None
    address_sealed: str | None
    id_number_sealed: str | None
    registered_at: datetime
    tier: RiskTier = "general"
    tier_reason: TierReason = "initial_assessment"
    station_id: str | None = None  # named in the event; else the envelope's (`OpensAtStation`)


@dataclass(frozen=True)
class UpdateHousehold:
    """Only what is given changes; members, when given, replace the list."""

    updated_at: datetime
    categories: tuple[HouseholdCategory, ...] | None = None
    community: str | None = None
    members: tuple[Member, ...] | None = None
    head_name_sealed: str | None = None
    phone_sealed: str | None = None
    address_sealed: str | None = None
    id_number_sealed: str | None = None


@dataclass(frozen=True)
class AssignRiskTier:
    tier: RiskTier
    reason: TierReason
    assigned_at: datetime
    major_change: bool = False


@dataclass(frozen=True)
class EraseHousehold:
    reason: ErasureReason


@dataclass(frozen=True)
class ScheduleVisit:
    visit_id: str
    scheduled_for: date
    social_worker_id: str
    purposes: tuple[VisitPurpose, ...]


@dataclass(frozen=True)
class FoundNeed:
    """A need found on a visit: identified on the visit's day, with the visit."""

    need_id: str
    category: NeedCategory
    severity: Severity
    member_id: str | None = None
    notes_sealed: str | None = None


@dataclass(frozen=True)
class RecordVisit:
    visit_id: str
    visited_at: datetime
    mode: VisitMode
    social_worker_ids: tuple[str, ...]
    volunteer_ids: tuple[str, ...] = ()
    services: tuple[ServiceGiven, ...] = ()
    observations_sealed: str | None = None
    risks_observed: int = 0
    notes_sealed: str | None = None
    next_follow_up_on: date | None = None
    needs: tuple[FoundNeed, ...] = ()  # appended with the visit or not at all


@dataclass(frozen=True)
class ScheduleFollowUp:
    follow_up_on: date
    social_worker_id: str
    need_id: str | None = None


@dataclass(frozen=True)
class IdentifyNeed:
    need_id: str
    category: NeedCategory
    severity: Severity
    identified_on: date
    member_id: str | None = None
    visit_id: str | None = None
    notes_sealed: str | None = None


@dataclass(frozen=True)
class ReferNeed:
    need_id: str
    agency: str
    agency_kind: AgencyKind
    referred_on: date
    shares_personal_data: bool = False


@dataclass(frozen=True)
class ResolveNeed:
    need_id: str
    outcome: ResolutionOutcome
    resolved_on: date
    notes_sealed: str | None = None


@dataclass(frozen=True)
class CloseNeed:
    need_id: str
    reason: ClosureReason
    closed_on: date


@dataclass(frozen=True)
class GrantConsent:
    purpose: ConsentPurpose
    given_by: ConsentGiver
    granted_on: date
    member_id: str | None = None
    guardian_relation: Relation | None = None


@dataclass(frozen=True)
class WithdrawConsent:
    purpose: ConsentPurpose
    withdrawn_on: date
    member_id: str | None = None


@dataclass(frozen=True)
class RecordLegalBasis:
    purpose: ConsentPurpose
    basis: LegalBasis
    recorded_on: date


HouseholdCommand = (
    RegisterHousehold
    | UpdateHousehold
    | AssignRiskTier
    | EraseHousehold
    | ScheduleVisit
    | RecordVisit
    | ScheduleFollowUp
    | IdentifyNeed
    | ReferNeed
    | ResolveNeed
    | CloseNeed
    | GrantConsent
    | WithdrawConsent
    | RecordLegalBasis
)

"""Request bodies of the visits API: plaintext personal data arrives here and is sealed at once."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from shegong_events.ids import HOUSEHOLD_PHONE
from shegong_events.visits import (
    AgencyKind,
    ConsentGiver,
    ConsentPurpose,
    ErasureReason,
    HouseholdCategory,
    LegalBasis,
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
from shegong_runtime.inputs import MULTILINE, Day, Identifier, RequestModel, When, single_line
from shegong_runtime.paging import LIMIT_DEFAULT, Cursor, Limit

Name = Annotated[str, Field(min_length=1, max_length=50)]
Phone = Annotated[str, Field(pattern=HOUSEHOLD_PHONE)]
IdNumber = Annotated[str, Field(pattern=r"^[0-9]{17}[0-9Xx]$", description="居民身份证号码")]
Notes = Annotated[
    str,
    Field(
        min_length=1, max_length=2000, json_schema_extra=MULTILINE, description="free text, sealed"
    ),
]
Rating = Literal["good", "attention", "risk"]  # 良好 / 需关注 / 有风险
ManualClosure = Literal[
    "declined", "not_eligible", "moved_away", "deceased", "duplicate", "no_longer_needed"
]
"""Why staff close a need; `household_erased` is set by erasure alone."""


class Body(RequestModel):
    """Closed request bodies within the input policy."""


class MemberIn(Body):
    member_id: Identifier
    relation: Relation
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    name: Name | None = None


class RegisterHousehold(Body):
    household_id: Identifier | None = Field(
        default=None, description="given by the caller, or made up by the service"
    )
    station_id: Identifier
    categories: list[HouseholdCategory] = Field(min_length=1, max_length=10)
    community: str | None = Field(examples=["福东社区"], default=None, min_length=1, max_length=50)
    head_name: Name
    phone: Phone | None = None
    address: str | None = Field(
        examples=["福利路街道福东社区3号楼2单元"], default=None, min_length=1, max_length=200
    )
    id_number: IdNumber | None = None
    members: list[MemberIn] = Field(default_factory=list, max_length=30)
    risk_tier: RiskTier = "general"
    tier_reason: TierReason = "initial_assessment"
    registered_at: When | None = None


class UpdateHousehold(Body):
    categories: list[HouseholdCategory] | None = Field(default=None, min_length=1, max_length=10)
    community: str | None = Field(examples=["福东社区"], default=None, min_length=1, max_length=50)
    head_name: Name | None = None
    phone: Phone | None = None
    address: str | None = Field(
        examples=["福利路街道福东社区3号楼2单元"], default=None, min_length=1, max_length=200
    )
    id_number: IdNumber | None = None
    members: list[MemberIn] | None = Field(default=None, max_length=30)
    updated_at: When | None = None


class AssignRiskTier(Body):
    tier: RiskTier
    reason: TierReason
    major_change: bool = False
    assigned_at: When | None = None


SearchedName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    AfterValidator(single_line),
    Field(
        examples=["张秀英"],
        description="the head's exact name; full-width forms, spaces and case do not matter",
    ),
]


class SearchHouseholds(Body):
    """A search by the head's name, in a body so that the name is in no address (access logs,
    proxies, a shared phone's history); limit and cursor as in every list."""

    name: SearchedName
    station_id: Identifier | None = Field(
        default=None, description="one of the caller's stations; none: all of them"
    )
    limit: Limit = LIMIT_DEFAULT
    cursor: Cursor | None = None


class EraseHousehold(Body):
    reason: ErasureReason


class ScheduleVisit(Body):
    visit_id: Identifier | None = None
    scheduled_for: Day
    social_worker_id: Identifier
    purposes: list[VisitPurpose] = Field(min_length=1)


class Observations(Body):
    """What the social worker saw; sealed as a whole, only the count of risks travels."""

    health: Rating | None = None
    mental_state: Rating | None = None
    gas_safety: Rating | None = None
    electricity_safety: Rating | None = None
    heating_safety: Rating | None = None
    hygiene: Rating | None = None
    living_conditions: Rating | None = None
    notes: Notes | None = None

    def risks(self) -> int:
        return sum(1 for v in self.model_dump(exclude={"notes"}).values() if v == "risk")


class NeedIn(Body):
    need_id: Identifier | None = None
    category: NeedCategory
    severity: Severity
    member_id: Identifier | None = None
    notes: Notes | None = None


class RecordVisit(Body):
    visit_id: Identifier | None = Field(
        default=None, description="a scheduled visit's id, or none for an unscheduled visit"
    )
    visited_at: When
    mode: VisitMode
    social_worker_ids: list[Identifier] = Field(min_length=1, max_length=10)
    volunteer_ids: list[Identifier] = Field(default_factory=list, max_length=50)
    services: list[ServiceGiven] = Field(default_factory=list, max_length=10)
    observations: Observations | None = None
    notes: Notes | None = None
    needs: list[NeedIn] = Field(default_factory=list, max_length=20)
    next_follow_up_on: Day | None = None


class ScheduleFollowUp(Body):
    follow_up_on: Day
    social_worker_id: Identifier
    need_id: Identifier | None = None


class IdentifyNeed(NeedIn):
    visit_id: Identifier | None = None
    identified_on: Day | None = None


class ReferNeed(Body):
    agency: str = Field(
        examples=["西固区残疾人联合会"],
        min_length=1,
        max_length=100,
        description="an organisation, never a person",
    )
    agency_kind: AgencyKind
    referred_on: Day | None = None
    shares_personal_data: bool = False


class ResolveNeed(Body):
    outcome: ResolutionOutcome
    resolved_on: Day | None = None
    notes: Notes | None = None


class CloseNeed(Body):
    reason: ManualClosure
    closed_on: Day | None = None


class GrantConsent(Body):
    purpose: ConsentPurpose
    member_id: Identifier | None = Field(
        default=None, description="the member concerned; none: the head"
    )
    given_by: ConsentGiver
    guardian_relation: Relation | None = None
    granted_on: Day | None = None


class WithdrawConsent(Body):
    purpose: ConsentPurpose
    member_id: Identifier | None = None
    withdrawn_on: Day | None = None


class RecordLegalBasis(Body):
    purpose: ConsentPurpose
    basis: LegalBasis
    recorded_on: Day | None = None

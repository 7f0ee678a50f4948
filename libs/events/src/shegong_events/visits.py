"""Visits domain (入户走访): households, risk tiers, visits, needs, referrals, consent, erasure.

Every event belongs to one household's stream (aggregate type `household`). Personal data never
travels in plaintext: names, phones, addresses, ID numbers, free-text notes and observations are
sealed with the household's own key (fields `*_sealed`), so erasing a household (PIPL) is
destroying that key. Everything else is ids, station, categories, dates, counts and codes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shegong_events.catalog import CATALOG
from shegong_events.envelope import DomainEvent, OpensAtStation
from shegong_events.ids import IDENTIFIER

Id = Annotated[str, Field(pattern=IDENTIFIER)]
"""An id that is also a valid subject token (letters, digits, - and _)."""

HouseholdCategory = Literal[
    "minimum_living_allowance",  # 最低生活保障 (低保)
    "extreme_poverty_support",  # 特困人员供养
    "temporary_assistance",  # 临时救助
    "left_behind_elderly",  # 留守老人
    "solitary_elderly",  # 独居老人
    "children_in_difficulty",  # 困境儿童
    "disability",  # 残疾
    "other",
]
RiskTier = Literal["high", "key", "general"]  # 高风险 / 重点 / 一般
TierReason = Literal[
    "initial_assessment",
    "periodic_review",
    "health_decline",
    "hospitalised",
    "bereavement",
    "income_loss",
    "living_alone",
    "housing_risk",
    "family_conflict",
    "improved",
    "other",
]
Relation = Literal["spouse", "child", "grandchild", "parent", "grandparent", "sibling", "other"]
VisitMode = Literal["home_visit", "phone", "verification"]  # 入户走访 / 电话回访 / 入户核查
VisitPurpose = Literal[
    "needs_assessment",  # 需求排摸
    "policy_briefing",  # 政策宣传
    "counselling",  # 心理疏导
    "verification",  # 入户核查
    "resource_linking",  # 资源链接
    "follow_up",  # 跟进回访
]
ServiceKind = Literal[
    "policy_briefing",  # 政策宣传
    "counselling",  # 心理疏导
    "resource_linking",  # 资源链接
    "application_help",  # 协助申请
    "relationship_coordination",  # 关系协调
]
Policy = Literal[
    "minimum_living_allowance",  # 最低生活保障
    "temporary_assistance",  # 临时救助
    "extreme_poverty_support",  # 特困人员供养
    "medical_assistance",  # 医疗救助
    "housing_assistance",  # 住房救助
    "education_assistance",  # 教育救助
    "employment_assistance",  # 就业救助
    "disability_subsidy",  # 残疾人两项补贴
    "elderly_care_subsidy",  # 养老服务补贴
    "other",
]
NeedCategory = Literal[
    "financial",
    "medical",
    "care",
    "housing",
    "psychological",
    "daily_living",
    "employment",
    "education",
]
NeedStatus = Literal[
    "open", "referred", "resolved", "closed"
]  # a need's status in read models and pages
Severity = Literal["low", "medium", "high", "urgent"]
AgencyKind = Literal[
    "civil_affairs",
    "health",
    "human_resources",
    "education",
    "disabled_persons_federation",
    "community",
    "social_organisation",
    "other",
]
ResolutionOutcome = Literal[
    "assistance_granted", "service_provided", "referral_served", "family_support_arranged", "other"
]
ClosureReason = Literal[
    "declined",
    "not_eligible",
    "moved_away",
    "deceased",
    "duplicate",
    "no_longer_needed",
    "household_erased",
]
ConsentPurpose = Literal["referral", "data_sharing"]
ConsentGiver = Literal["self", "guardian"]
LegalBasis = Literal[
    "social_assistance_duty",  # 《社会救助暂行办法》 statutory assistance duties
    "minor_protection_duty",  # 《未成年人保护法》 duty to report and protect
    "life_safety_emergency",  # PIPL art. 13(4): protecting life and health in an emergency
]
LawfulBasis = Literal["consent", "legal_basis"]
ErasureReason = Literal["subject_request", "retention_expired", "registered_in_error"]


class VisitsEvent(DomainEvent):
    domain = "visits"
    aggregate_type = "household"


class Member(BaseModel):
    """A household member besides the head; the name is sealed, the birth year decides consent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: Id
    relation: Relation
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    name_sealed: str | None = None


class ServiceGiven(BaseModel):
    """One service given on a visit; a policy briefing names the policies explained."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    policies: list[Policy] = Field(default_factory=list)


@CATALOG.register
class HouseholdRegistered(VisitsEvent, OpensAtStation):
    """A household in difficulty registered at a station; the head's personal data is sealed."""

    event_type = "HouseholdRegistered"

    household_id: Id
    categories: list[HouseholdCategory] = Field(min_length=1)
    community: str | None = Field(default=None, max_length=50, description="社区, e.g. 大通路社区")
    member_count: int = Field(ge=1)
    members: list[Member] = Field(default_factory=list)
    head_name_sealed: str
    phone_sealed: str | None = None
    address_sealed: str | None = None
    id_number_sealed: str | None = None
    registered_at: datetime


@CATALOG.register
class HouseholdUpdated(VisitsEvent):
    """Categories, members or personal data changed; absent fields are unchanged."""

    event_type = "HouseholdUpdated"

    categories: list[HouseholdCategory] | None = Field(default=None, min_length=1)
    community: str | None = Field(default=None, max_length=50)
    member_count: int | None = Field(default=None, ge=1)
    members: list[Member] | None = None
    head_name_sealed: str | None = None
    phone_sealed: str | None = None
    address_sealed: str | None = None
    id_number_sealed: str | None = None
    updated_at: datetime


@CATALOG.register
class RiskTierAssigned(VisitsEvent):
    """The household's risk tier, which sets when the next visit is due (carried here)."""

    event_type = "RiskTierAssigned"

    tier: RiskTier
    previous_tier: RiskTier | None = None
    reason: TierReason
    major_change: bool = Field(default=False, description="a major change: visit within 24 hours")
    assigned_at: datetime
    next_due_at: datetime


@CATALOG.register
class VisitScheduled(VisitsEvent):
    """A visit planned for a date by a social worker, with its purposes."""

    event_type = "VisitScheduled"

    visit_id: Id
    scheduled_for: date
    social_worker_id: Id
    purposes: list[VisitPurpose] = Field(min_length=1)


@CATALOG.register
class VisitRecorded(VisitsEvent):
    """A visit made (scheduled or not): who went, how, services given, and when the next is due."""

    event_type = "VisitRecorded"

    visit_id: Id
    was_scheduled: bool = False
    visited_at: datetime
    mode: VisitMode
    social_worker_ids: list[Id] = Field(min_length=1)
    volunteer_ids: list[Id] = Field(default_factory=list)
    services: list[ServiceGiven] = Field(default_factory=list)
    observations_sealed: str | None = Field(
        default=None, description="health, safety, hygiene... (sealed JSON)"
    )
    risks_observed: int = Field(
        default=0, ge=0, description="how many observations were rated a risk"
    )
    notes_sealed: str | None = None
    needs_identified: int = Field(default=0, ge=0)
    next_follow_up_on: date | None = None
    next_due_at: datetime


@CATALOG.register
class FollowUpScheduled(VisitsEvent):
    """A follow-up set for a date; the next visit is due by then at the latest."""

    event_type = "FollowUpScheduled"

    follow_up_on: date
    social_worker_id: Id
    need_id: Id | None = None
    next_due_at: datetime


@CATALOG.register
class NeedIdentified(VisitsEvent):
    """A need found (需求排摸), on a visit or otherwise, with its category and severity."""

    event_type = "NeedIdentified"

    need_id: Id
    category: NeedCategory
    severity: Severity
    member_id: Id | None = Field(default=None, description="the member concerned; None: the head")
    visit_id: Id | None = None
    identified_on: date
    notes_sealed: str | None = None


@CATALOG.register
class NeedReferred(VisitsEvent):
    """A need referred to an agency, on the household's consent or a recorded legal basis."""

    event_type = "NeedReferred"

    need_id: Id
    category: NeedCategory
    severity: Severity
    agency: str = Field(min_length=1, max_length=100, description="an organisation, never a person")
    agency_kind: AgencyKind
    referred_on: date
    lawful_basis: LawfulBasis
    legal_basis: LegalBasis | None = None
    shares_personal_data: bool = False


@CATALOG.register
class NeedResolved(VisitsEvent):
    """A need met, with its outcome."""

    event_type = "NeedResolved"

    need_id: Id
    category: NeedCategory
    severity: Severity
    outcome: ResolutionOutcome
    resolved_on: date
    notes_sealed: str | None = None


@CATALOG.register
class NeedClosed(VisitsEvent):
    """A need closed without being met (declined, not eligible, moved away...)."""

    event_type = "NeedClosed"

    need_id: Id
    category: NeedCategory
    severity: Severity
    reason: ClosureReason
    closed_on: date


@CATALOG.register
class ConsentGranted(VisitsEvent):
    """Consent for one purpose, by the person (member or head) or by a guardian for a child."""

    event_type = "ConsentGranted"

    purpose: ConsentPurpose
    member_id: Id | None = Field(default=None, description="the member concerned; None: the head")
    given_by: ConsentGiver
    guardian_relation: Relation | None = None
    granted_on: date


@CATALOG.register
class ConsentWithdrawn(VisitsEvent):
    """Consent for one purpose withdrawn; later referrals need it again or a legal basis."""

    event_type = "ConsentWithdrawn"

    purpose: ConsentPurpose
    member_id: Id | None = None
    withdrawn_on: date


@CATALOG.register
class LegalBasisRecorded(VisitsEvent):
    """A statutory duty recorded as the lawful basis for one purpose, instead of consent."""

    event_type = "LegalBasisRecorded"

    purpose: ConsentPurpose
    basis: LegalBasis
    recorded_on: date


@CATALOG.register
class HouseholdErased(VisitsEvent):
    """The household's key destroyed (PIPL erasure): its sealed data is unreadable everywhere."""

    event_type = "HouseholdErased"

    reason: ErasureReason
    erased_at: datetime
    needs_closed: int = Field(default=0, ge=0)

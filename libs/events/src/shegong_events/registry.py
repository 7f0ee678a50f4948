"""Registry domain (登记): stations, community social organisations (社区社会组织) and evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shegong_events.catalog import CATALOG
from shegong_events.envelope import DomainEvent, OpensAtStation
from shegong_events.erasure import ErasureReason
from shegong_events.ids import SLUG

StationKind = Literal["street", "township"]  # 街道 / 乡镇


class RegistryEvent(DomainEvent):
    domain = "registry"


@CATALOG.register
class StationOpened(RegistryEvent):
    """A social work station (社工站) opened; other services learn station ids from this event."""

    event_type = "StationOpened"
    aggregate_type = "station"

    station_id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=100, description="e.g. 城关区青白石街道社工站")
    city: str = Field(min_length=1, max_length=50, description="e.g. 兰州市")
    district_id: str = Field(pattern=SLUG)
    district_name: str = Field(min_length=1, max_length=50, description="e.g. 城关区")
    street: str = Field(min_length=1, max_length=50, description="街道 or 镇, e.g. 青白石街道")
    kind: StationKind
    lead_sealed: str | None = Field(default=None, description="station lead's name, sealed")
    contact_sealed: str | None = Field(default=None, description="contact phone, sealed")


@CATALOG.register
class StationUpdated(RegistryEvent):
    """A station's name, lead or contact changed; absent fields are unchanged."""

    event_type = "StationUpdated"
    aggregate_type = "station"

    name: str | None = Field(default=None, min_length=1, max_length=100)
    lead_sealed: str | None = None
    contact_sealed: str | None = None


# ── community social organisations (社区社会组织): filing (备案) through to volunteer team ──

OrgCategory = Literal[
    "deliberation",  # 议事协商
    "culture_sports",  # 文体娱乐
    "volunteering",  # 志愿服务
    "charity",  # 公益慈善
    "life_services",  # 生活服务
    "mutual_aid",  # 互助
    "other",  # 其他
]
FILING_NUMBER = SLUG.removesuffix("$") + r"-\d{4}-\d{4}$"  # <station id>-<year>-<sequence>
SEALED = r"^sealed:v1:"  # a value sealed by the service's KeyStore, never plaintext
Sealed = "sealed with the subject `org-contact:<organisation id>` (personal data)"


class OrganisationEvent(RegistryEvent):
    aggregate_type = "organisation"


@CATALOG.register
class OrgFiled(OrganisationEvent, OpensAtStation):
    """A community social organisation filed for registration (备案申请) at its station.

    The station is the envelope's `station_id`; the filing is pending until returned or approved.
    """

    event_type = "OrgFiled"

    name: str = Field(
        min_length=1, max_length=60, description="the organisation's name, e.g. 银龄之声合唱团"
    )
    category: OrgCategory
    community: str = Field(min_length=1, max_length=50, description="社区, e.g. 福利东路社区")
    responsible_person_sealed: str = Field(pattern=SEALED, description=f"负责人's name, {Sealed}")
    responsible_phone_sealed: str | None = Field(
        default=None, pattern=SEALED, description=f"负责人's phone, {Sealed}"
    )
    venue: str | None = Field(default=None, max_length=100, description="活动场所, e.g. 社区活动室")
    members: int = Field(ge=1, le=10000, description="成员人数")
    activity_area: str = Field(min_length=1, max_length=100, description="活动区域 / 服务范围")
    charter_summary: str = Field(min_length=1, max_length=1000, description="章程摘要")


@CATALOG.register
class OrgFilingReturned(OrganisationEvent):
    """The station returned a pending filing for correction (退回补正), with its reasons."""

    event_type = "OrgFilingReturned"

    reasons: list[str] = Field(
        min_length=1, max_length=20, description="what to correct, one reason each"
    )


@CATALOG.register
class OrgFilingResubmitted(OrganisationEvent):
    """A returned filing came back corrected; absent fields are unchanged. Pending again."""

    event_type = "OrgFilingResubmitted"

    name: str | None = Field(default=None, min_length=1, max_length=60)
    category: OrgCategory | None = None
    community: str | None = Field(default=None, min_length=1, max_length=50)
    responsible_person_sealed: str | None = Field(default=None, pattern=SEALED, description=Sealed)
    responsible_phone_sealed: str | None = Field(default=None, pattern=SEALED, description=Sealed)
    venue: str | None = Field(default=None, max_length=100)
    members: int | None = Field(default=None, ge=1, le=10000)
    activity_area: str | None = Field(default=None, min_length=1, max_length=100)
    charter_summary: str | None = Field(default=None, min_length=1, max_length=1000)
    note: str | None = Field(default=None, max_length=500, description="what was corrected")


@CATALOG.register
class OrgFilingApproved(OrganisationEvent):
    """The filing was approved (备案通过) and given its filing number, unique per station and year."""

    event_type = "OrgFilingApproved"

    filing_number: str = Field(
        pattern=FILING_NUMBER, description="<station id>-<year>-<4-digit sequence>"
    )
    name: str = Field(min_length=1, max_length=60, description="the name as approved")
    category: OrgCategory


@CATALOG.register
class OrgChanged(OrganisationEvent):
    """A registered organisation changed (变更): name, responsible person, members...; absent = unchanged."""

    event_type = "OrgChanged"

    name: str | None = Field(default=None, min_length=1, max_length=60)
    responsible_person_sealed: str | None = Field(default=None, pattern=SEALED, description=Sealed)
    responsible_phone_sealed: str | None = Field(default=None, pattern=SEALED, description=Sealed)
    members: int | None = Field(default=None, ge=1, le=10000)
    venue: str | None = Field(default=None, max_length=100)
    activity_area: str | None = Field(default=None, min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=500)


@CATALOG.register
class OrgConvertedToVolunteerTeam(OrganisationEvent):
    """A registered organisation became a volunteer team (转型为志愿服务队)."""

    event_type = "OrgConvertedToVolunteerTeam"

    team_name: str | None = Field(
        default=None, min_length=1, max_length=60, description="new name, if any"
    )
    volunteers: int = Field(ge=1, le=10000, description="volunteers in the team")
    service_focus: str = Field(
        min_length=1, max_length=200, description="what the team serves, e.g. 助老陪伴"
    )


@CATALOG.register
class OrgDeregistered(OrganisationEvent):
    """A registered organisation was deregistered (注销); its name is free again in its station."""

    event_type = "OrgDeregistered"

    reason: str = Field(min_length=1, max_length=500)


# ── station evaluations (评估) ──

OrgStatus = Literal[
    "pending", "returned", "approved", "volunteer_team", "deregistered"
]  # a filing's status in every read model and page
EvaluationKind = Literal["midterm", "final"]  # 中期评估 / 终期评估


class EvaluationScores(BaseModel):
    """A score from 0 to 100 for each dimension of the evaluation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    administration: float = Field(ge=0, le=100, description="行政管理")
    finance: float = Field(ge=0, le=100, description="财务管理")
    service_delivery: float = Field(ge=0, le=100, description="服务开展与产出")
    social_evaluation: float = Field(ge=0, le=100, description="社会评价")
    publicity_innovation: float = Field(ge=0, le=100, description="宣传与创新")


@CATALOG.register
class StationEvaluated(RegistryEvent):
    """A station's evaluation (e.g. 中期评估) was recorded: a score per dimension, reviewer, date, flag."""

    event_type = "StationEvaluated"
    aggregate_type = "evaluation"

    district_id: str = Field(pattern=SLUG)
    kind: EvaluationKind
    period: str = Field(pattern=r"^\d{4}$", description="the project year evaluated, e.g. 2024")
    scores: EvaluationScores
    reviewer: str = Field(
        min_length=1, max_length=100, description="reviewing body, e.g. 城关区民政局评估组"
    )
    evaluated_on: date
    exemplary: bool = Field(description="表现优秀: held up as an example to other stations")
    summary: str | None = Field(default=None, max_length=2000)
    highlights: list[str] = Field(default_factory=list, max_length=20, description="特色与成效")


@CATALOG.register
class StationContactErased(RegistryEvent):
    """The station lead's name and contact erased (PIPL): their key is destroyed with this event."""

    event_type = "StationContactErased"
    aggregate_type = "station"

    reason: ErasureReason
    erased_at: datetime


@CATALOG.register
class OrgContactErased(OrganisationEvent):
    """The responsible person's name and phone erased (PIPL): their key is destroyed with this event."""

    event_type = "OrgContactErased"

    reason: ErasureReason
    erased_at: datetime

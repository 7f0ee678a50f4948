"""The registry's request bodies: what staff type in, before anything is sealed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from shegong_events.ids import ORGANISATION_PHONE
from shegong_events.registry import EvaluationKind, EvaluationScores, OrgCategory
from shegong_runtime.command_request import FollowsVersion
from shegong_runtime.inputs import MULTILINE, RequestModel, Slug, single_line

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
    AfterValidator(single_line),
]
Person = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    AfterValidator(single_line),
]
Phone = Annotated[str, StringConstraints(pattern=ORGANISATION_PHONE)]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(single_line),
]


class Body(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Dated(Body):
    occurred_at: datetime | None = Field(
        default=None,
        description="when it happened; a date or a time without zone is China time (UTC+8)",
    )


class Step(Dated, FollowsVersion):
    """A step on an existing organisation: when it happened, and (deprecated, the command
    request reads it when no If-Match is sent) the version it follows."""


# ── stations ──


class OpenStation(RequestModel):
    station_id: Slug
    name: str = Field(examples=["西固区福利路街道社工站"], min_length=1, max_length=100)
    city: str = Field(examples=["兰州市"], min_length=1, max_length=50)
    district_id: Slug
    district_name: str = Field(examples=["西固区"], min_length=1, max_length=50)
    street: str = Field(examples=["福利路街道"], min_length=1, max_length=50)
    kind: Literal["street", "township"]
    lead: str | None = Field(
        default=None, max_length=50, description="station lead's name (sealed)"
    )
    contact: str | None = Field(default=None, max_length=30, description="contact phone (sealed)")


class UpdateStation(RequestModel):
    name: str | None = Field(
        examples=["西固区福利路街道社工站"], default=None, min_length=1, max_length=100
    )
    lead: str | None = Field(default=None, max_length=50)
    contact: str | None = Field(default=None, max_length=30)


class RecordEvaluation(Body):
    kind: EvaluationKind = "midterm"
    period: str = Field(pattern=r"^\d{4}$", description="the project year evaluated, e.g. 2024")
    scores: EvaluationScores
    reviewer: str = Field(
        examples=["兰州市民政局中期评估组"],
        min_length=1,
        max_length=100,
        description="reviewing body, not a person",
    )
    evaluated_on: date
    exemplary: bool = False
    summary: str | None = Field(
        examples=["站点服务台账完整，议事会运行规范。"],
        default=None,
        max_length=2000,
        json_schema_extra=MULTILINE,
    )
    highlights: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=20
    )


# ── organisations ──


class FileOrganisation(Dated):
    organisation_id: Slug | None = Field(
        default=None, description="chosen by the caller, or made here"
    )
    name: Name
    category: OrgCategory
    community: str = Field(examples=["福东社区"], min_length=1, max_length=50)
    responsible_person: Person = Field(
        examples=["王秀兰"], description="负责人 (personal data: sealed)"
    )
    responsible_phone: Phone | None = Field(
        default=None, description="负责人电话 (personal data: sealed)"
    )
    venue: str | None = Field(examples=["社区活动室"], default=None, max_length=100)
    members: int = Field(ge=1, le=10000)
    activity_area: str = Field(examples=["福东社区及周边"], min_length=1, max_length=100)
    charter_summary: str = Field(
        examples=["以合唱为纽带，每周排练两次，丰富社区老年人文化生活。"],
        min_length=1,
        max_length=1000,
        json_schema_extra=MULTILINE,
    )


class ReturnFiling(Step):
    reasons: list[Reason] = Field(min_length=1, max_length=20)


class Corrections(Step):
    name: Name | None = None
    responsible_person: Person | None = None
    responsible_phone: Phone | None = None
    members: int | None = Field(default=None, ge=1, le=10000)
    venue: str | None = Field(examples=["社区活动室"], default=None, max_length=100)
    activity_area: str | None = Field(
        examples=["福东社区及周边"], default=None, min_length=1, max_length=100
    )
    note: str | None = Field(
        examples=["已补正负责人电话"], default=None, max_length=500, json_schema_extra=MULTILINE
    )


class Resubmit(Corrections):
    category: OrgCategory | None = None
    community: str | None = Field(examples=["福东社区"], default=None, min_length=1, max_length=50)
    charter_summary: str | None = Field(
        examples=["以合唱为纽带，每周排练两次，丰富社区老年人文化生活。"],
        default=None,
        min_length=1,
        max_length=1000,
        json_schema_extra=MULTILINE,
    )


class Convert(Step):
    team_name: Name | None = None
    volunteers: int = Field(ge=1, le=10000)
    service_focus: str = Field(examples=["助老陪伴"], min_length=1, max_length=200)


class Deregister(Step):
    reason: str = Field(
        examples=["团队解散"], min_length=1, max_length=500, json_schema_extra=MULTILINE
    )

"""Request bodies of the organisation commands: what staff type in, before anything is sealed."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from shegong_events.ids import ORGANISATION_PHONE
from shegong_events.registry import OrgCategory
from shegong_runtime.inputs import MULTILINE, Slug, single_line

from shegong_registry.entrypoints.http.common import Dated, Step

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

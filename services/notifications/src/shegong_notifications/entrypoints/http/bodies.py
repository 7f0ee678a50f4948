"""The notifications service's request bodies: rules, recipients, subscriptions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, HttpUrl
from shegong_events.notifications import (
    EVENT_TYPE,
    Audience,
    AudienceRole,
    Channel,
    Condition,
    Reminder,
)
from shegong_runtime.inputs import Identifier, RequestModel

EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$"


class DefineRule(RequestModel):
    rule_id: Identifier
    station_id: Identifier | None = Field(
        default=None, description="a station's rule; or name district_id"
    )
    district_id: Identifier | None = Field(default=None, description="a district-wide rule")
    trigger: str = Field(pattern=EVENT_TYPE, description="event type, e.g. NeedIdentified")
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    audience: Audience
    channel: Channel = "inbox"
    template_id: Identifier = Field(description="one of GET /templates")
    reminder: Reminder | None = None
    description: str | None = Field(examples=["紧急需求通知站长"], default=None, max_length=200)


class DisableRule(RequestModel):
    reason: str | None = Field(examples=["规则调整"], default=None, max_length=200)


class RegisterRecipient(RequestModel):
    recipient_id: Identifier = Field(description="the person's login subject")
    role: AudienceRole
    station_id: Identifier | None = None
    district_id: Identifier | None = Field(default=None, description="district officers only")
    name: str | None = Field(default=None, max_length=50, description="sealed")
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254, description="sealed")
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(
        default=None, min_length=16, max_length=200, description="sealed"
    )
    refs: list[str] = Field(default_factory=list, max_length=20)


class UpdateRecipient(RequestModel):
    name: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)
    refs: list[str] | None = Field(default=None, max_length=20)


class SetSubscription(RequestModel):
    topic: Identifier = Field(description="a template id, e.g. urgent-need")
    channel: Channel | Literal["none"]

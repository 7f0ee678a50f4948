"""What the routes answer, as the OpenAPI document shows it (`openapi.reading`,
`openapi.command`). Readings are documented with these models and answered as the views give
them (the models do not re-serialise them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from shegong_events.notifications import (
    Audience,
    AudienceRole,
    Channel,
    Condition,
    Reminder,
    ScopeKind,
)


class RuleAnswer(BaseModel):
    """The rule's id and its stream's version now."""

    rule_id: str | None
    version: int | None


class RecipientAnswer(BaseModel):
    """The recipient's id and their stream's version now."""

    recipient_id: str | None
    version: int | None


class ReadAnswer(BaseModel):
    """The notification, read."""

    delivery_id: str
    read: bool


class RedriveAnswer(BaseModel):
    """The notification, due again."""

    delivery_id: str
    status: Literal["pending"]


class RuleView(BaseModel):
    rule_id: str
    scope: ScopeKind
    scope_id: str
    trigger: str
    conditions: list[Condition]
    audience: Audience
    channel: Channel
    template_id: str
    reminder: Reminder | None
    description: str | None
    created_at: datetime
    disabled_at: datetime | None
    active: bool


class TemplateView(BaseModel):
    template_id: str
    title: str
    body: str
    summary: str


class RecipientView(BaseModel):
    recipient_id: str
    role: AudienceRole
    station_id: str | None
    district_id: str
    refs: list[str]
    name: str | None
    email: str | None
    webhook_url: str | None
    subscriptions: dict[str, str]
    registered_at: datetime


class InboxItem(BaseModel):
    delivery_id: str
    station_id: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class DeliveryView(BaseModel):
    delivery_id: str
    rule_id: str
    source_event_id: str
    source_event_type: str
    recipient_id: str
    station_id: str
    template_id: str
    channel: Channel
    title: str
    status: Literal["pending", "sent", "dead", "cancelled"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    planned_at: datetime
    sent_at: datetime | None


class ReminderView(BaseModel):
    reminder_id: str
    rule_id: str
    source_event_id: str
    subject_key: str
    station_id: str
    fire_at: datetime
    status: Literal["pending", "fired", "cancelled", "superseded"]
    fired_at: datetime | None

"""Notifications domain (通知): rules over other domains' events, the recipients directory,
reminders, and the audit of who was told what, when and through which channel.

Rules are data: an event type, conditions on its fields, an audience and a channel. A reminder
rule fires later (a follow-up due tomorrow, a referral pending for N days) unless an event of
one of its `cancel_on` types for the same subject arrives first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shegong_events.catalog import CATALOG
from shegong_events.envelope import DomainEvent
from shegong_events.erasure import ErasureReason
from shegong_events.ids import NOTIFICATIONS_ID, SLUG

Channel = Literal["inbox", "email", "webhook", "wecom", "dingtalk", "sms"]
AudienceRole = Literal["social_worker", "station_lead", "district_officer", "org_contact"]
ScopeKind = Literal["station", "district"]
ConditionOp = Literal["eq", "ne", "in", "not_in", "exists", "missing", "gte", "lte"]
Scalar = str | int | float | bool

ID = NOTIFICATIONS_ID
FIELD = r"^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62}){0,3}$"
EVENT_TYPE = r"^[A-Z][A-Za-z0-9]{1,79}$"
KEY = r"^[^{}]*(\{[a-z_][a-z0-9_]*\}[^{}]*)*$"


class NotificationsEvent(DomainEvent):
    domain = "notifications"


class Condition(BaseModel):
    """A test on one field of the source event's data (dotted for nested fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(pattern=FIELD)
    op: ConditionOp = "eq"
    value: Scalar | list[Scalar] | None = None


class Audience(BaseModel):
    """Who is told: recipients in the event's station (or district-wide staff of its district)
    with this role; with `match_field`, only those the event names in that field (an assigned
    worker, an owner unit), matched against their id or their `refs`. Name at least one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: AudienceRole | None = None
    match_field: str | None = Field(default=None, pattern=FIELD)

    @model_validator(mode="after")
    def _someone(self) -> Audience:
        if self.role is None and self.match_field is None:
            raise ValueError("name a role, a match_field or both")
        return self


class Reminder(BaseModel):
    """Fire later instead of at once: at a date or time in the event (or when it happened),
    shifted by the offsets and, with `weekday`, moved on to the next such weekday.

    The reminder is about a subject, `key` (a template over the event's fields and
    `{aggregate_id}`, `{station_id}`, `{district_id}`, `{week}`): an event of a `cancel_on` type
    with the same key cancels it; with `repeat = "supersede"` a newer trigger for the key
    replaces a pending reminder, with `repeat = "once"` the key fires once and later triggers
    are ignored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    at_field: str | None = Field(
        default=None, pattern=FIELD, description="None: the event's occurred_at"
    )
    offset_days: int = Field(default=0, ge=-366, le=366)
    offset_minutes: int = Field(default=0, ge=-1440, le=1440)
    weekday: int | None = Field(default=None, ge=1, le=7, description="1 = Monday ... 7 = Sunday")
    at_time: str = Field(
        default="09:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="local time (UTC+8) on a date-only `at_field` or a `weekday`",
    )
    key: str = Field(default="{aggregate_id}", max_length=200, pattern=KEY)
    cancel_on: list[str] = Field(default_factory=list, max_length=10)
    repeat: Literal["supersede", "once"] = "supersede"


@CATALOG.register
class RuleDefined(NotificationsEvent):
    """A notification rule set for a station or a district; it applies to events recorded after it."""

    event_type = "RuleDefined"
    aggregate_type = "rule"

    rule_id: str = Field(pattern=ID)
    scope: ScopeKind
    scope_id: str = Field(pattern=SLUG)
    trigger: str = Field(pattern=EVENT_TYPE, description="the event type that sets the rule off")
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    audience: Audience
    channel: Channel
    template_id: str = Field(pattern=ID)
    reminder: Reminder | None = None
    description: str | None = Field(default=None, max_length=200)


@CATALOG.register
class RuleDisabled(NotificationsEvent):
    """A rule stopped: events recorded after this plan nothing more under it."""

    event_type = "RuleDisabled"
    aggregate_type = "rule"

    reason: str | None = Field(default=None, max_length=200)


@CATALOG.register
class RecipientRegistered(NotificationsEvent):
    """A member of staff (or an organisation's contact) entered the directory."""

    event_type = "RecipientRegistered"
    aggregate_type = "recipient"

    recipient_id: str = Field(pattern=ID, description="the login subject, so the inbox is theirs")
    role: AudienceRole
    station_id: str | None = Field(default=None, description="None for district staff")
    district_id: str
    refs: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="ids by which other domains' events name this person: a worker id, an "
        "organisation id, an owner unit such as 大通路社区居委会",
    )
    name_sealed: str | None = None
    email_sealed: str | None = None
    webhook_url: str | None = Field(default=None, max_length=500)
    webhook_secret_sealed: str | None = None


@CATALOG.register
class RecipientUpdated(NotificationsEvent):
    """A recipient's addresses changed; absent fields are unchanged."""

    event_type = "RecipientUpdated"
    aggregate_type = "recipient"

    name_sealed: str | None = None
    email_sealed: str | None = None
    webhook_url: str | None = Field(default=None, max_length=500)
    webhook_secret_sealed: str | None = None
    refs: list[str] | None = Field(default=None, max_length=20)


@CATALOG.register
class RecipientRemoved(NotificationsEvent):
    """A recipient left the directory: nothing more is planned for them."""

    event_type = "RecipientRemoved"
    aggregate_type = "recipient"


@CATALOG.register
class SubscriptionSet(NotificationsEvent):
    """A recipient chose the channel for one topic (a template id); `none` mutes it."""

    event_type = "SubscriptionSet"
    aggregate_type = "recipient"

    topic: str = Field(pattern=ID)
    channel: Channel | Literal["none"]


@CATALOG.register
class ReminderScheduled(NotificationsEvent):
    """A reminder rule's timer was set by a source event; it fires once at `fire_at`."""

    event_type = "ReminderScheduled"
    aggregate_type = "reminder"

    reminder_id: str
    rule_id: str
    subject_key: str
    source_event_id: str
    source_event_type: str
    fire_at: datetime


@CATALOG.register
class NotificationSent(NotificationsEvent):
    """A recipient was told, through one channel: the audit line of who was told what and when."""

    event_type = "NotificationSent"
    aggregate_type = "notification"

    delivery_id: str
    rule_id: str
    template_id: str
    recipient_id: str
    channel: Channel
    source_event_id: str
    source_event_type: str
    attempt: int = Field(ge=1)
    title: str
    body: str


@CATALOG.register
class NotificationFailed(NotificationsEvent):
    """An attempt failed; `dead` when no attempt is left (the dead letter), else retried later."""

    event_type = "NotificationFailed"
    aggregate_type = "notification"

    delivery_id: str
    rule_id: str
    recipient_id: str
    channel: Channel
    attempt: int = Field(ge=1)
    reason: str = Field(max_length=300)
    dead: bool = False
    next_attempt_at: datetime | None = None


@CATALOG.register
class NotificationRedriven(NotificationsEvent):
    """An operator sent a dead notification back for delivery."""

    event_type = "NotificationRedriven"
    aggregate_type = "notification"

    delivery_id: str


@CATALOG.register
class NotificationRead(NotificationsEvent):
    """The recipient opened an in-app notification."""

    event_type = "NotificationRead"
    aggregate_type = "notification"

    delivery_id: str
    recipient_id: str


@CATALOG.register
class RecipientErased(NotificationsEvent):
    """The recipient's name, email and webhook secret erased (PIPL); nothing more is sent to them."""

    event_type = "RecipientErased"
    aggregate_type = "recipient"

    reason: ErasureReason
    erased_at: datetime

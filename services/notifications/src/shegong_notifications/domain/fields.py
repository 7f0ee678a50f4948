"""A rule may only name fields its event types have: a misspelt or renamed field would make
the rule silently never match, so it is refused when the rule is defined."""

from __future__ import annotations

import string
from collections.abc import Sequence

from shegong_events import CATALOG, DomainEvent, UnknownEventType
from shegong_events.all import load_all
from shegong_events.notifications import Audience, Condition, Reminder
from shegong_runtime.errors import DomainError

KEY_EXTRAS = {"aggregate_id", "station_id", "district_id", "week"}
load_all()  # every domain's contracts: a rule may be set off by any of them


class UnknownField(DomainError):
    """The rule names a field its event type does not carry."""


class UnknownTrigger(DomainError):
    """The event type is not one any domain publishes."""


def contract_of(event_type: str, field: str) -> type[DomainEvent]:
    """The latest contract of an event type any domain publishes."""
    try:
        version = CATALOG.latest_version(event_type)
    except UnknownEventType:
        raise UnknownTrigger(f"没有业务发布事件 {event_type!r}", field=field) from None
    return next(
        m for m in CATALOG.models() if (m.event_type, m.schema_version) == (event_type, version)
    )


def _has(model: type[DomainEvent], dotted: str) -> bool:
    return dotted.split(".")[0] in model.model_fields


def check(
    trigger: type[DomainEvent],
    conditions: Sequence[Condition],
    audience: Audience,
    reminder: Reminder | None,
    cancels: Sequence[type[DomainEvent]],
) -> None:
    for i, condition in enumerate(conditions):
        if not _has(trigger, condition.field):
            raise UnknownField(
                f"{trigger.event_type} 没有字段 {condition.field!r}",
                field=f"conditions.{i}.field",
            )
    match = audience.match_field
    if match and match != "aggregate_id" and not _has(trigger, match):
        raise UnknownField(f"{trigger.event_type} 没有字段 {match!r}", field="audience.match_field")
    if reminder is None:
        return
    if reminder.at_field and not _has(trigger, reminder.at_field):
        raise UnknownField(
            f"{trigger.event_type} 没有字段 {reminder.at_field!r}", field="reminder.at_field"
        )
    names = {n for _, n, _, _ in string.Formatter().parse(reminder.key) if n} - KEY_EXTRAS
    for model in (trigger, *cancels):
        missing = sorted(n for n in names if not _has(model, n))
        if missing:
            raise UnknownField(
                f"{model.event_type} 没有用作键的字段 {missing[0]!r}", field="reminder.key"
            )

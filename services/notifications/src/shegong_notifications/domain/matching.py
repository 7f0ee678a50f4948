"""Does a rule apply to an event? Pure functions over the rule and the event's envelope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shegong_events import Envelope
from shegong_events.notifications import Audience, Condition, Reminder

MISSING = object()


@dataclass(frozen=True)
class Rule:
    """A rule as the planner sees it: its definition and the window in which it is active."""

    rule_id: str
    scope: str  # station | district
    scope_id: str
    trigger: str
    conditions: Sequence[Condition]
    audience: Audience
    channel: str
    template_id: str
    reminder: Reminder | None
    created_at: datetime
    disabled_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        """Events recorded before the rule existed never plan under it: a replay sends nothing old."""
        return self.created_at <= at and (self.disabled_at is None or at < self.disabled_at)

    def covers(self, station_id: str, district_id: str | None) -> bool:
        if self.scope == "station":
            return self.scope_id == station_id
        return district_id is not None and self.scope_id == district_id


def field_value(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _compare(left: Any, right: Any) -> int:
    if (
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and not isinstance(left, bool)
    ):
        return (left > right) - (left < right)
    a, b = str(left), str(right)  # ISO dates and times order as text
    return (a > b) - (a < b)


def holds(condition: Condition, data: dict[str, Any]) -> bool:
    value = field_value(data, condition.field)
    op, expected = condition.op, condition.value
    if op == "exists":
        return value is not MISSING and value is not None
    if op == "missing":
        return value is MISSING or value is None
    if value is MISSING:
        return op in ("ne", "not_in")
    if op in ("eq", "ne"):
        same = expected in value if isinstance(value, list) else value == expected
        return same if op == "eq" else not same
    if op in ("in", "not_in"):
        options: list[Any] = [*expected] if isinstance(expected, list) else [expected]
        found = any(v in options for v in value) if isinstance(value, list) else value in options
        return found if op == "in" else not found
    if value is None or expected is None or isinstance(value, list):
        return False
    order = _compare(value, expected)
    return order >= 0 if op == "gte" else order <= 0


def applies(rule: Rule, event: Envelope, district_id: str | None) -> bool:
    return (
        rule.trigger == event.event_type
        and rule.covers(event.station_id, district_id)
        and rule.active_at(event.recorded_at)
        and all(holds(c, event.data) for c in rule.conditions)
    )


def cancels(rule: Rule, event: Envelope, district_id: str | None) -> bool:
    return (
        rule.reminder is not None
        and event.event_type in rule.reminder.cancel_on
        and rule.covers(event.station_id, district_id)
    )


def target(rule: Rule, event: Envelope) -> list[str] | None:
    """The ids an audience's `match_field` names in the event (an assigned worker, an owner
    unit); `aggregate_id` names the event's aggregate when the data has no such field.
    None when the rule names no field; an empty list when the event names no one."""
    field = rule.audience.match_field
    if field is None:
        return None
    value = field_value(event.data, field)
    if value is MISSING and field == "aggregate_id":
        value = event.aggregate_id
    if value is MISSING or value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]

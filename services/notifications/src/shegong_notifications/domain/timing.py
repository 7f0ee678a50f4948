"""When a reminder fires and what it is about, in station time (`shegong_events.calendar`)."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shegong_events import Envelope, calendar
from shegong_events.calendar import STATION_TZ
from shegong_events.notifications import Reminder

from shegong_notifications.domain.matching import MISSING, field_value


def _clock(reminder: Reminder) -> time:
    hour, minute = (int(p) for p in reminder.at_time.split(":"))
    return time(hour, minute)


def base_at(reminder: Reminder, event: Envelope) -> datetime | None:
    """The moment the rule counts from: a date or time in the event, else when it happened."""
    if reminder.at_field is None:
        return event.occurred_at.astimezone(UTC)
    raw = field_value(event.data, reminder.at_field)
    if raw is MISSING or raw is None:
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return datetime.combine(
                date.fromisoformat(raw), _clock(reminder), STATION_TZ
            ).astimezone(UTC)
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STATION_TZ)
    return moment.astimezone(UTC)


def fire_at(reminder: Reminder, event: Envelope) -> datetime | None:
    """The moment to fire, or None when the event lacks the date the rule counts from."""
    base = base_at(reminder, event)
    if base is None:
        return None
    moment = base + timedelta(days=reminder.offset_days, minutes=reminder.offset_minutes)
    if reminder.weekday is None:
        return moment
    day = moment.astimezone(STATION_TZ).date()
    ahead = (reminder.weekday - day.isoweekday()) % 7 or 7  # strictly after: next week's Monday
    return datetime.combine(day + timedelta(days=ahead), _clock(reminder), STATION_TZ).astimezone(
        UTC
    )


def due_at(reminder: Reminder, event: Envelope) -> datetime | None:
    """The date a reminder's text speaks of: the event's own due date, else the firing day."""
    return base_at(reminder, event) if reminder.at_field else fire_at(reminder, event)


def week(moment: datetime) -> str:
    year, number, _ = moment.astimezone(STATION_TZ).isocalendar()
    return f"{year}-W{number:02d}"


def subject_key(reminder: Reminder, event: Envelope, district_id: str | None) -> str:
    """What the reminder is about, from its key template: a later event with the same key
    supersedes or cancels it."""
    values: dict[str, Any] = {
        k: v for k, v in event.data.items() if isinstance(v, str | int | float)
    }
    base = base_at(reminder, event) or event.occurred_at
    values.update(
        aggregate_id=event.aggregate_id,
        station_id=event.station_id,
        district_id=district_id or "",
        week=week(base),
    )
    names = [name for _, name, _, _ in string.Formatter().parse(reminder.key) if name]
    return reminder.key.format(**{n: values.get(n, "-") for n in names})


def local_date(moment: datetime) -> str:
    """The station's calendar day of a moment, as the texts show it."""
    return calendar.local_date(moment).isoformat()

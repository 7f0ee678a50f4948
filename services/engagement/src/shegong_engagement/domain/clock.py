"""Station time: Beijing (UTC+8, no daylight saving). Date-only facts happen at noon."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def today() -> date:
    return datetime.now(BEIJING).date()


def noon(day: date) -> datetime:
    """When a date-only fact occurred: noon reads as the same date in UTC and in +08:00."""
    return datetime.combine(day, time(12), BEIJING)

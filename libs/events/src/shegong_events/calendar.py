"""Station time: every station keeps Beijing time (UTC+8, no daylight saving since 1991).

A fact known by its day happened on the station's calendar day, not the server's: past 16:00
UTC it is already tomorrow at the stations. One constant and these helpers are the only place
the project says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

STATION_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The station's calendar day of a moment (a naive moment is taken as station time)."""
    return as_aware(moment).astimezone(STATION_TZ).date()


def today() -> date:
    return local_date(now())


def as_aware(moment: datetime) -> datetime:
    """A moment given without a zone is station time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=STATION_TZ)


def at_noon(day: date) -> datetime:
    """When a fact known only by its day happened: noon at the station (the same day in UTC)."""
    return datetime.combine(day, time(12), STATION_TZ)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), STATION_TZ)

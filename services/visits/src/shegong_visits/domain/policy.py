"""When the next visit is due, by risk tier, and the station's clock (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from shegong_events.visits import RiskTier
from shegong_runtime.errors import DomainError

STATION_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")  # every station keeps Beijing time
CLOCK_SKEW = timedelta(minutes=5)


class DatedInFuture(DomainError):
    """Facts are recorded after they happen: a date or time later than now is refused."""


class VisitDatedInFuture(DatedInFuture):
    """A visit cannot be recorded before it has been made."""


@dataclass(frozen=True)
class VisitPolicy:
    """Visit intervals per tier: high weekly (24 hours after a major change), key monthly, general quarterly."""

    high: timedelta = timedelta(days=7)
    key: timedelta = timedelta(days=30)
    general: timedelta = timedelta(days=90)
    major_change: timedelta = timedelta(hours=24)

    def interval(self, tier: RiskTier) -> timedelta:
        return {"high": self.high, "key": self.key, "general": self.general}[tier]


def end_of_day(day: date) -> datetime:
    """The moment a station's calendar day is over: a visit due that day is overdue after it."""
    return datetime.combine(day + timedelta(days=1), time(), STATION_TZ)


def station_today(now: datetime) -> date:
    return now.astimezone(STATION_TZ).date()


def as_aware(moment: datetime) -> datetime:
    """Station staff write local times; a time without an offset is Beijing time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=STATION_TZ)


def not_in_future(
    value: date | datetime, now: datetime, field: str, error: type[DatedInFuture] = DatedInFuture
) -> None:
    if isinstance(value, datetime):
        late = as_aware(value) > now + CLOCK_SKEW
    else:
        late = value > station_today(now)
    if late:
        raise error(f"{field} {value.isoformat()} 晚于当前时间：只能记录已经发生的事", field=field)


def utcnow() -> datetime:
    return datetime.now(UTC)

"""When the next visit is due, by risk tier, and what "not in the future" means at a station (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shegong_events.calendar import local_date, start_of
from shegong_events.visits import RiskTier
from shegong_runtime.errors import DomainError

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
    return start_of(day + timedelta(days=1))


def not_in_future(
    value: date | datetime, now: datetime, field: str, error: type[DatedInFuture] = DatedInFuture
) -> None:
    if isinstance(value, datetime):
        late = value > now + CLOCK_SKEW
    else:
        late = value > local_date(now)
    if late:
        raise error(f"{field} {value.isoformat()} 晚于当前时间：只能记录已经发生的事", field=field)

"""Dates as station staff count them: local calendar days in China, weeks from Monday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The calendar day in China on which something happened."""
    return moment.astimezone(LOCAL).date()


def today() -> date:
    return datetime.now(LOCAL).date()


@dataclass(frozen=True)
class Span:
    """Inclusive range of calendar days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_of(day: date) -> Span:
    monday = day - timedelta(days=day.weekday())
    return Span(monday, monday + timedelta(days=6))


def month_of(day: date) -> Span:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Span(first, following - timedelta(days=1))


def last_seven_days(day: date) -> Span:
    return Span(day - timedelta(days=6), day)


def chinese_day(day: date) -> str:
    """3月19日, as the source document writes dates."""
    return f"{day.month}月{day.day}日"


def chinese_span(span: Span) -> str:
    if span.start == span.end:
        return f"{span.start.year}年{chinese_day(span.start)}"
    if span.start.year == span.end.year:
        return f"{span.start.year}年{chinese_day(span.start)}至{chinese_day(span.end)}"
    return f"{span.start.year}年{chinese_day(span.start)}至{span.end.year}年{chinese_day(span.end)}"

"""Dates as station staff count them: weeks from Monday, months, spans, and how the source
document writes them. Station time itself (the day a moment falls on, today) comes from
`shegong_events.calendar`, re-exported here for the board's callers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shegong_events.calendar import local_date, start_of, today

__all__ = ["Span", "local_date", "month_of", "start_of", "today", "week_of", "weeks_back"]


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


def weeks_back(day: date, count: int) -> list[Span]:
    """The `count` weeks (Monday to Sunday) up to and including the week of `day`, oldest first."""
    this = week_of(day)
    return [
        Span(this.start - timedelta(weeks=n), this.end - timedelta(weeks=n))
        for n in range(count - 1, -1, -1)
    ]


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

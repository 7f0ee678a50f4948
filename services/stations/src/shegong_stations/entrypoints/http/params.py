"""Dates from query parameters: a day to look from, and a span for the roundup."""

from __future__ import annotations

from datetime import date, timedelta

from shegong_runtime.errors import DomainError

from shegong_stations.periods import Span, last_seven_days, today

MAX_SPAN_DAYS = 366


class SpanReversed(DomainError):
    """The roundup's start lies after its end."""


class SpanTooLong(DomainError):
    """A roundup covers at most a year."""


def day(on: date | None) -> date:
    return on or today()


def span(start: date | None, end: date | None, max_days: int = MAX_SPAN_DAYS) -> Span:
    """Default: the last seven days up to today; one end given, the seven days from or to it."""
    if start is None:
        return last_seven_days(end or today())
    end = end or start + timedelta(days=6)
    if start > end:
        raise SpanReversed(f"开始日期 {start} 晚于结束日期 {end}", field="start")
    result = Span(start, end)
    if result.days > max_days:
        raise SpanTooLong(f"汇总最多覆盖 {max_days} 天", field="end")
    return result

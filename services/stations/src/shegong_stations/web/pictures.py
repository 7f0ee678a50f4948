"""Which charts a page shows, from its figures and trends: visits week by week, open needs by
category and severity, participation per kind of meeting, and the filing pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from shegong_events.glossary import MEETING_KIND, NEED_CATEGORY, ORG_STATUS, SEVERITY

from shegong_stations import charts
from shegong_stations.charts import Chart, Series
from shegong_stations.periods import Span
from shegong_stations.roundup import Roundup
from shegong_stations.views import Trends

PIPELINE = ("pending", "returned", "approved", "volunteer_team")  # a filing's way, in order
SEVERITY_COLOURS = {"urgent": "#b42318", "high": "#e07b39", "medium": "#f0b429", "low": "#9fb3c8"}


def week_label(week: Span) -> str:
    return f"{week.start.month}/{week.start.day}"


def visits_by_week(
    weeks: Sequence[Span], visits: dict[str, list[int]], names: dict[str, str]
) -> Chart:
    """A column per week; for a district or the city, stacked by station."""
    series = [Series(names.get(sid, sid), counts) for sid, counts in visits.items()]
    return charts.over_weeks(
        "visits-by-week",
        f"最近{len(weeks)}周入户走访（户次）",
        [week_label(w) for w in weeks],
        series,
    )


def needs_by_category(needs: dict[str, dict[str, int]]) -> Chart:
    """Open needs, a bar per category stacked by severity, most pressing first."""
    categories = [c for c in NEED_CATEGORY if c in needs] + sorted(set(needs) - set(NEED_CATEGORY))
    severities = list(SEVERITY)
    series = [Series(SEVERITY[s], [needs[c].get(s, 0) for c in categories]) for s in severities]
    return charts.hbars(
        "needs-by-category",
        "未结需求：类别与紧急程度（项）",
        [NEED_CATEGORY.get(c, c) for c in categories],
        series,
        [SEVERITY_COLOURS[s] for s in severities],
        stacked=True,
    )


def participation(
    this_month: dict[str, int], total: dict[str, int], month_name: str = "本月"
) -> Chart:
    """People who took part, per kind of meeting: this month beside all so far."""
    kinds = [k for k in MEETING_KIND if k in total or k in this_month]
    return charts.hbars(
        "participation",
        "各类会议与活动参与（人次）",
        [MEETING_KIND[k] for k in kinds],
        [
            Series(month_name, [this_month.get(k, 0) for k in kinds]),
            Series("累计", [total.get(k, 0) for k in kinds]),
        ],
    )


def filing_pipeline(by_status: dict[str, int]) -> Chart:
    steps = [(ORG_STATUS[s], by_status.get(s, 0)) for s in PIPELINE]
    gone = by_status.get("deregistered", 0)
    aside = f"另有{ORG_STATUS['deregistered']} {gone} 家" if gone else ""
    return charts.pipeline("filing-pipeline", "社区社会组织备案进度（家）", steps, aside)


def people(meetings: dict[str, dict]) -> dict[str, int]:
    return {kind: m.get("participants", 0) for kind, m in meetings.items()}


def for_page(f: dict, trends: Trends, names: dict[str, str]) -> list[Chart]:
    """The four charts of a station, district or city page: `f` its figures, added up."""
    return [
        visits_by_week(trends.weeks, trends.visits, names),
        needs_by_category(trends.needs_total()),
        participation(people(f["meetings"]["this_month"]), people(f["meetings"]["total"])),
        filing_pipeline(f["organisations"]["by_status"]),
    ]


def participation_in(r: Roundup) -> dict[str, int]:
    """People at the meetings a roundup tells of, per kind of meeting."""
    return {
        s.kind: sum(m.participants or 0 for m in s.mentions)
        for s in r.sections
        if s.kind in MEETING_KIND and any(m.participants for m in s.mentions)
    }


def for_roundup(r: Roundup, trends: Trends, names: dict[str, str]) -> list[Chart]:
    """The roundup's figures: the weeks up to its end, the span's participation, needs and filings."""
    period = "本周" if r.span.days == 7 else "本期"
    held = participation_in(r)
    return [
        visits_by_week(trends.weeks, trends.visits, names),
        charts.hbars(
            "participation",
            f"{period}各类会议与活动参与（人次）",
            [MEETING_KIND[k] for k in MEETING_KIND if k in held],
            [Series(period, [held[k] for k in MEETING_KIND if k in held])],
        ),
        needs_by_category(trends.needs_total()),
        filing_pipeline(trends.filings_total()),
    ]

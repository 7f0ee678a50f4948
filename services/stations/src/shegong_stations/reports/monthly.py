"""The monthly statistics report (月度统计报表): each indicator of the month beside the previous
month (上期) and the change (环比), laid out as civil-affairs monthly statistics are.

Indicators carry a code (`visits.mode.phone`), a Chinese label from the glossary and a unit;
the rows come in a fixed order so a bureau can compare one month's form with the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shegong_events.glossary import (
    HOUSEHOLD_CATEGORY,
    MEETING_KIND,
    RISK_TIER,
    UNASSESSED,
    VISIT_MODE,
)

from shegong_stations.periods import Span, month_of
from shegong_stations.reports.monthly_figures import Figures


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    section: str
    flow: bool = True  # counted within the month; False: a count as it stands at the month's end


def _indicators() -> list[Indicator]:
    rows = [Indicator("households_visited.total", "走访困难家庭", "户", "一、入户走访")]
    rows += [
        Indicator(f"households_visited.category.{c}", f"　其中：{w}", "户", "一、入户走访")
        for c, w in HOUSEHOLD_CATEGORY.items()
    ]
    rows.append(Indicator("visits.total", "入户走访及回访", "户次", "一、入户走访"))
    rows += [
        Indicator(f"visits.mode.{m}", f"　按方式：{w}", "户次", "一、入户走访")
        for m, w in VISIT_MODE.items()
    ]
    tiers = {**RISK_TIER, "unassessed": UNASSESSED}
    rows += [
        Indicator(f"visits.tier.{t}", f"　按风险等级：{w}", "户次", "一、入户走访")
        for t, w in tiers.items()
    ]
    rows += [
        Indicator("needs.identified", "排摸需求", "项", "二、需求与转介"),
        Indicator("needs.referred", "转介需求", "项", "二、需求与转介"),
        Indicator("needs.resolved", "解决需求", "项", "二、需求与转介"),
        Indicator("meetings.total", "召开会议及活动", "场", "三、会议与活动"),
    ]
    for k, w in MEETING_KIND.items():
        rows.append(Indicator(f"meetings.kind.{k}", f"　{w}", "场", "三、会议与活动"))
        rows.append(Indicator(f"meetings.participants.{k}", f"　{w}参与", "人次", "三、会议与活动"))
    rows += [
        Indicator("meetings.participants", "参与人次合计", "人次", "三、会议与活动"),
        Indicator("organisations.filed", "受理社区社会组织备案申请", "件", "四、社区社会组织"),
        Indicator("organisations.approved", "完成备案", "家", "四、社区社会组织"),
        Indicator(
            "organisations.volunteer_teams",
            "已转型志愿服务队（截至期末）",
            "支",
            "四、社区社会组织",
            flow=False,
        ),
        Indicator("volunteers.enrolled", "新登记志愿者", "名", "五、志愿服务"),
        Indicator("volunteers.active", "参与服务志愿者", "名", "五、志愿服务"),
        Indicator("volunteers.hours", "志愿服务时长", "小时", "五、志愿服务"),
    ]
    return rows


INDICATORS = _indicators()


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    current: float
    previous: float

    @property
    def change(self) -> float | None:
        """环比, in percent: None when the previous month had none (no base to compare)."""
        if not self.previous:
            return None
        return round((self.current - self.previous) / self.previous * 100, 1)


@dataclass(frozen=True)
class MonthlyReport:
    scope: str  # 兰州市, 城关区, 城关区青白石街道社工站
    month: Span
    previous_month: Span
    rows: list[Row]
    current: Figures  # every figure of the month, also those no row shows

    @property
    def title(self) -> str:
        return f"{self.scope}社会工作月度统计报表"

    @property
    def period(self) -> str:
        return f"{self.month.start.year}年{self.month.start.month}月"


def months(first_day: date) -> tuple[Span, Span]:
    """The month of `first_day` and the month before it."""
    month = month_of(first_day)
    return month, month_of(month.start - timedelta(days=1))


def build(
    scope: str, month: Span, previous_month: Span, current: Figures, previous: Figures
) -> MonthlyReport:
    rows = [Row(i, current.get(i.code, 0), previous.get(i.code, 0)) for i in INDICATORS]
    return MonthlyReport(scope, month, previous_month, rows, current)


def shown(value: float) -> int | float:
    """A count as a whole number, hours with one decimal."""
    return int(value) if float(value).is_integer() else round(value, 1)

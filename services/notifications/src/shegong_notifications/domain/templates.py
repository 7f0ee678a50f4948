"""Notification texts (Chinese, for station staff). A rule names a template by id.

Texts carry ids, dates and the station only: never a household's or person's personal data.
The context offers the event's plain scalar fields, never sealed ones, and each template
chooses the few it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shegong_events import Envelope

from shegong_notifications.domain.timing import local_date


@dataclass(frozen=True)
class Template:
    title: str
    body: str
    summary: str  # what the template is for, shown in the API


TEMPLATES: dict[str, Template] = {
    "urgent-need": Template(
        "【紧急需求】{station_name}",
        "{station_name}于{occurred_on}排摸到一项紧急需求（记录编号 {aggregate_id}），请站长及区民政局尽快研判并安排跟进。",
        "紧急需求登记后通知站长和区民政局",
    ),
    "visit-overdue": Template(
        "【走访逾期】{station_name}",
        "服务对象 {subject_key} 自{occurred_on}以来未再入户走访，已超过其风险等级规定的走访间隔，请尽快安排走访。",
        "超过风险等级走访间隔未走访时提醒负责社工",
    ),
    "follow-up-due": Template(
        "【明日跟进】{station_name}",
        "跟进事项 {subject_key} 定于{due_on}进行，请提前准备并按时记录跟进情况。",
        "跟进事项到期前一天提醒社工",
    ),
    "referral-pending": Template(
        "【转介待办】{station_name}",
        "转介 {subject_key} 自{due_on}发出后已超过规定天数仍未得到接收方回复，请站长督促跟进。",
        "转介超过规定天数未处理时提醒站长",
    ),
    "filing-returned": Template(
        "【备案退回】{station_name}",
        "贵组织（编号 {aggregate_id}）提交的社区社会组织备案申请已于{occurred_on}退回，请按意见修改后重新提交。",
        "备案申请退回时通知组织联系人",
    ),
    "filing-approved": Template(
        "【备案通过】{station_name}",
        "贵组织（编号 {aggregate_id}）的社区社会组织备案申请已于{occurred_on}通过，欢迎参与社区服务。",
        "备案申请通过时通知组织联系人",
    ),
    "action-item-due": Template(
        "【议事事项到期】{station_name}",
        "居民议事会确定的事项 {subject_key} 应于{due_on}完成，请确认进展并记录结果。",
        "议事事项到期时提醒负责人",
    ),
    "action-item-overdue": Template(
        "【议事事项逾期】{station_name}",
        "居民议事会确定的事项 {subject_key} 已超过完成期限（{due_on}），请尽快办结或说明情况。",
        "议事事项逾期时提醒负责人",
    ),
    "weekly-roundup": Template(
        "【一周掠影】{district_name}",
        "{district_name}社会工作一周掠影已生成（{occurred_on}），请登录查阅各社工站本周工作。",
        "一周掠影生成后通知区民政局",
    ),
    "event-recorded": Template(
        "【工作动态】{station_name}",
        "{station_name}于{occurred_on}记录了 {event_type}（编号 {aggregate_id}）。",
        "任一事件的通用通知",
    ),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def context(
    event: Envelope,
    station_name: str | None,
    district_name: str | None,
    subject_key: str | None = None,
    due_at: datetime | None = None,
) -> dict[str, Any]:
    """What a template may show: plain scalar fields (no sealed values), ids, dates, station."""
    values: dict[str, Any] = {
        k: v
        for k, v in event.data.items()
        if isinstance(v, str | int | float)
        and not k.endswith("_sealed")
        and not str(v).startswith("sealed:")
    }
    values.update(
        station_id=event.station_id,
        station_name=station_name or event.station_id,
        district_name=district_name or "",
        aggregate_id=event.aggregate_id,
        event_type=event.event_type,
        occurred_on=local_date(event.occurred_at),
        subject_key=subject_key or event.aggregate_id,
    )
    if due_at is not None:
        values["due_on"] = local_date(due_at)
    return values


def render(template_id: str, values: dict[str, Any]) -> tuple[str, str]:
    template = TEMPLATES[template_id]
    safe = _Blank(values)
    return template.title.format_map(safe), template.body.format_map(safe)

"""The board's ledgers (台账) as workbooks: visits, needs and referrals, meetings, organisations
and volunteer hours of a station or district over a period. The board holds no personal data
(households and volunteers by id only), so these are for every role that reads the scope.

Each sheet: Chinese headers from the glossary, the header row frozen, widths set, dates as
Excel dates.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import asyncpg
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from shegong_events.glossary import (
    AGENCY_KIND,
    MEETING_KIND,
    NEED_CATEGORY,
    NEED_STATUS,
    ORG_CATEGORY,
    ORG_STATUS,
    POLICY,
    SERVICE_KIND,
    SEVERITY,
    VISIT_MODE,
    VOLUNTEER_CATEGORY,
    word,
    words,
)

from shegong_stations.periods import Span

Row = Callable[[asyncpg.Record, dict[str, str]], list[object]]


@dataclass(frozen=True)
class Ledger:
    title: str  # the sheet's name and the file's
    columns: tuple[tuple[str, int], ...]  # (header, width)
    sql: str  # $1 station ids, $2 first day, $3 last day; {s} the board's schema
    row: Row


def _joined(table: dict[str, str], codes: list[str]) -> str:
    return "、".join(words(table, codes))


LEDGERS = {
    "visits": Ledger(
        "走访台账",
        (
            ("社工站", 28),
            ("家庭编号", 24),
            ("走访日期", 12),
            ("方式", 10),
            ("服务内容", 30),
            ("宣传政策", 30),
            ("发现需求", 10),
            ("志愿者人次", 10),
        ),
        """SELECT station_id, household_id, visited_on, mode, services, policies, needs_identified, volunteers
           FROM {s}.visits WHERE status = 'made' AND station_id = any($1) AND visited_on BETWEEN $2 AND $3
           ORDER BY station_id, visited_on, household_id, visit_id""",
        lambda r, n: [
            n.get(r["station_id"], r["station_id"]),
            r["household_id"],
            r["visited_on"],
            word(VISIT_MODE, r["mode"]),
            _joined(SERVICE_KIND, r["services"]),
            _joined(POLICY, r["policies"]),
            r["needs_identified"],
            r["volunteers"],
        ],
    ),
    "needs": Ledger(
        "需求与转介台账",
        (
            ("社工站", 28),
            ("家庭编号", 24),
            ("需求编号", 16),
            ("类别", 10),
            ("紧急程度", 10),
            ("状态", 10),
            ("发现日期", 12),
            ("首次处理日期", 14),
            ("办结日期", 12),
            ("转介部门", 16),
        ),
        """SELECT station_id, household_id, need_id, category, severity, status, identified_on, acted_on,
                  ended_on, agency_kind FROM {s}.needs
           WHERE station_id = any($1) AND (identified_on BETWEEN $2 AND $3 OR acted_on BETWEEN $2 AND $3
                 OR ended_on BETWEEN $2 AND $3)
           ORDER BY station_id, identified_on, household_id, need_id""",
        lambda r, n: [
            n.get(r["station_id"], r["station_id"]),
            r["household_id"],
            r["need_id"],
            word(NEED_CATEGORY, r["category"]),
            word(SEVERITY, r["severity"]),
            word(NEED_STATUS, r["status"]),
            r["identified_on"],
            r["acted_on"],
            r["ended_on"],
            word(AGENCY_KIND, r["agency_kind"]),
        ],
    ),
    "meetings": Ledger(
        "会议活动台账",
        (
            ("社工站", 28),
            ("会议编号", 20),
            ("类型", 12),
            ("名称", 36),
            ("主题", 24),
            ("日期", 12),
            ("参与人数", 10),
            ("议题数", 8),
            ("决议数", 8),
        ),
        """SELECT station_id, meeting_id, kind, title, theme, on_date, participants, issues, resolutions
           FROM {s}.meetings WHERE status = 'held' AND station_id = any($1) AND on_date BETWEEN $2 AND $3
           ORDER BY station_id, on_date, meeting_id""",
        lambda r, n: [
            n.get(r["station_id"], r["station_id"]),
            r["meeting_id"],
            word(MEETING_KIND, r["kind"]),
            r["title"],
            r["theme"],
            r["on_date"],
            r["participants"],
            r["issues"],
            r["resolutions"],
        ],
    ),
    "organisations": Ledger(
        "社区社会组织台账",
        (
            ("社工站", 28),
            ("组织编号", 20),
            ("名称", 30),
            ("类别", 12),
            ("所属社区", 14),
            ("成员数", 8),
            ("状态", 16),
            ("申请日期", 12),
            ("备案日期", 12),
            ("备案编号", 22),
            ("志愿者数", 10),
        ),
        """SELECT station_id, org_id, name, category, community, members, status, filed_on, approved_on,
                  filing_number, volunteers FROM {s}.organisations
           WHERE station_id = any($1) AND filed_on <= $3 AND (status NOT IN ('deregistered') OR filed_on >= $2)
           ORDER BY station_id, filed_on, org_id""",
        lambda r, n: [
            n.get(r["station_id"], r["station_id"]),
            r["org_id"],
            r["name"],
            word(ORG_CATEGORY, r["category"]),
            r["community"],
            r["members"],
            word(ORG_STATUS, r["status"]),
            r["filed_on"],
            r["approved_on"],
            r["filing_number"],
            r["volunteers"],
        ],
    ),
    "volunteer_hours": Ledger(
        "志愿服务时长台账",
        (
            ("社工站", 28),
            ("志愿者编号", 24),
            ("类别", 10),
            ("服务次数", 10),
            ("服务时长（小时）", 16),
            ("首次服务日期", 14),
            ("末次服务日期", 14),
        ),
        """SELECT s.station_id, s.volunteer_id, v.category, count(*) AS sessions,
                  coalesce(sum(s.minutes), 0) AS minutes, min(s.started_on) AS first_on, max(s.started_on) AS last_on
           FROM {s}.volunteer_sessions s LEFT JOIN {s}.volunteers v USING (volunteer_id)
           WHERE s.station_id = any($1) AND s.started_on BETWEEN $2 AND $3
           GROUP BY 1, 2, 3 ORDER BY 1, 2""",
        lambda r, n: [
            n.get(r["station_id"], r["station_id"]),
            r["volunteer_id"],
            word(VOLUNTEER_CATEGORY, r["category"]),
            r["sessions"],
            round(r["minutes"] / 60, 1),
            r["first_on"],
            r["last_on"],
        ],
    ),
}
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def rows(
    conn: asyncpg.Connection, s: str, ledger: Ledger, ids: list[str], span: Span
) -> list[asyncpg.Record]:
    return await conn.fetch(ledger.sql.format(s=s), ids, span.start, span.end)


def workbook(
    ledger: Ledger, scope: str, span: Span, found: list[asyncpg.Record], names: dict[str, str]
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.title
    ws.append([header for header, _ in ledger.columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.freeze_panes = "A2"
    for i, (_, width) in enumerate(ledger.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for record in found:
        ws.append(ledger.row(record, names))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    wb.properties.title = f"{scope}{ledger.title}（{span.start}至{span.end}）"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

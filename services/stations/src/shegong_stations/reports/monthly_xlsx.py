"""The monthly statistics report as an Excel workbook, the form a bureau files: the title, the
reporting unit and period, then 指标 / 单位 / 本期 / 上期 / 环比 with the header frozen."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shegong_stations.reports.monthly import MonthlyReport, shown

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("序号", "指标", "单位", "本期", "上期", "环比（%）")
WIDTHS = (8, 36, 8, 12, 12, 12)
BOLD = Font(bold=True)
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")


def xlsx(r: MonthlyReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "月度统计报表"
    ws.append([r.title])
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append([f"填报单位：{r.scope}", None, None, f"统计期：{r.period}"])
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font, cell.alignment = BOLD, Alignment(horizontal="center")
    ws.freeze_panes = "A4"
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    section = None
    for number, row in enumerate(r.rows, start=1):
        if row.indicator.section != section:
            section = row.indicator.section
            ws.append([None, section])
            for cell in ws[ws.max_row]:
                cell.font, cell.fill = BOLD, SECTION_FILL
        change = row.change
        ws.append(
            [
                number,
                row.indicator.label,
                row.indicator.unit,
                shown(row.current),
                shown(row.previous),
                "—" if change is None else change,
            ]
        )
    ws.append([])
    ws.append(
        [None, "注：本表由各社工站记录自动生成；环比＝（本期－上期）÷上期×100%，上期为0时记“—”。"]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

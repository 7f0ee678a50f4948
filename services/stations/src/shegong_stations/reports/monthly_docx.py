"""The monthly statistics report as a Word document: the roundup's official layout (title,
date line) with one table of indicators beside 上期 and 环比."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from shegong_stations.reports.monthly import MonthlyReport, shown
from shegong_stations.reports.monthly_xlsx import HEADERS
from shegong_stations.roundup_docx import (
    BODY_FONT,
    DATE_FONT,
    TEXT_SIZE,
    TITLE_FONT,
    TITLE_SIZE,
    _run,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CELL_SIZE = Pt(10.5)  # 五号


def docx(r: MonthlyReport) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = r.title
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, r.title, TITLE_FONT, TITLE_SIZE)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(line, f"填报单位：{r.scope}　统计期：{r.period}", DATE_FONT, TEXT_SIZE)
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        _run(cell.paragraphs[0], text, BODY_FONT, CELL_SIZE, bold=True)
    current_section = None
    for number, row in enumerate(r.rows, start=1):
        if row.indicator.section != current_section:
            current_section = row.indicator.section
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            _run(merged.paragraphs[0], current_section, BODY_FONT, CELL_SIZE, bold=True)
        change = row.change
        values = (
            str(number),
            row.indicator.label,
            row.indicator.unit,
            str(shown(row.current)),
            str(shown(row.previous)),
            "—" if change is None else f"{change:g}",
        )
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _run(cell.paragraphs[0], text, BODY_FONT, CELL_SIZE)
    note = doc.add_paragraph()
    _run(note, "注：环比＝（本期－上期）÷上期×100%，上期为0时记“—”。", BODY_FONT, CELL_SIZE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

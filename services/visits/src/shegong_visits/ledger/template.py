"""The blank household ledger to fill in: the headers, one sheet of allowed values and one of
what each column takes."""

from __future__ import annotations

from shegong_visits.ledger import workbook
from shegong_visits.ledger.columns import COLUMNS, SHEET


def template() -> bytes:
    wb = workbook.new()
    workbook.sheet(wb, SHEET, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    workbook.allowed_values(wb)
    notes = workbook.sheet(wb, "填写说明", ["列", "是否必填", "说明"], [14, 10, 60])
    for c in COLUMNS:
        notes.append([c.header, "必填" if c.required else "选填", c.note])
    return workbook.saved(wb)

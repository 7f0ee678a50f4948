"""How every ledger workbook looks: Chinese headers in bold, the header row frozen, columns as
wide as staff need, dates as real dates; and the sheet of allowed values from the glossary."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shegong_visits.ledger.columns import ALLOWED

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "yyyy-mm-dd"


def new() -> Workbook:
    """A workbook without openpyxl's default sheet: every sheet is added by `sheet`."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    return wb


def sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    return ws


def append(ws: Worksheet, values: Iterable[object]) -> None:
    """One row; dates become Excel dates shown as 2024-03-16, text stays text."""
    ws.append([v.date() if isinstance(v, datetime) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, date | datetime):
            cell.number_format = DATE_FORMAT
        elif isinstance(cell.value, str):
            cell.number_format = "@"


def allowed_values(wb: Workbook) -> None:
    """The 可选值 sheet: each coded column's words, as the glossary has them."""
    ws = sheet(wb, "可选值", list(ALLOWED), [16] * len(ALLOWED))
    longest = max(len(v) for v in ALLOWED.values())
    for i in range(longest):
        ws.append([words[i] if i < len(words) else None for words in ALLOWED.values()])


def saved(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

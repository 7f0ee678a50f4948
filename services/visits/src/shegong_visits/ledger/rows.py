"""Reading a ledger: rows streamed from the workbook (openpyxl's read-only mode, one row in
memory at a time) and each row checked, answering row, column, rule and a Chinese message.

A row that passes here passes the API's own body model too: the last check builds the same
`RegisterHousehold` the route takes, so the dry run and the import never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from openpyxl import load_workbook
from pydantic import ValidationError
from shegong_events import calendar
from shegong_events.ids import HOUSEHOLD_PHONE

from shegong_visits.entrypoints.http import bodies
from shegong_visits.ledger.columns import (
    ALLOWED,
    BY_HEADER,
    CATEGORY_CODES,
    COLUMNS,
    MEMBER_SEPARATORS,
    RELATION_CODES,
    SHEET,
    TIER_CODES,
    split,
    text,
)

PHONE = re.compile(HOUSEHOLD_PHONE)
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITS = {"head_name": 50, "address": 200, "community": 50, "household_id": 64}
HEADER = {c.key: c.header for c in COLUMNS}


@dataclass(frozen=True)
class Problem:
    row: int  # the worksheet's row number, as Excel shows it
    column: str  # the column's header; "" for the whole row
    rule: str  # a code: required, too_long, unknown_value, ...
    message: str  # in Chinese, for the staff who fix the sheet


@dataclass
class Ledgered:
    """A row that passed: the fields of the household to register."""

    row: int
    household_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)

    def body(self, station_id: str, household_id: str) -> bodies.RegisterHousehold:
        return bodies.RegisterHousehold(
            station_id=station_id, household_id=household_id, **self.fields
        )


class NotALedger(Exception):
    """The file is no Excel workbook, or its first row names none of the ledger's columns."""


def stream(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """(row number, {header: value}) per non-empty row; problems of the header row first."""
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike
        raise NotALedger("文件不是有效的 Excel 工作簿（.xlsx）") from exc
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [text(v) or "" for v in next(rows, ())]
        known = [h for h in header if h in BY_HEADER]
        if not known:
            raise NotALedger(f"第1行应为表头，如：{'、'.join(BY_HEADER)}")
        for h in header:
            if h and h not in BY_HEADER:
                yield Problem(1, h, "unknown_column", f"未知的列“{h}”，将被忽略")
        for c in COLUMNS:
            if c.required and c.header not in header:
                yield Problem(1, c.header, "missing_column", f"缺少必填列“{c.header}”")
        for number, values in enumerate(rows, start=2):
            cells = {h: v for h, v in zip(header, values, strict=False) if h in BY_HEADER}
            if any(text(v) for v in cells.values()):
                yield number, cells
    finally:
        wb.close()


def check(number: int, cells: dict[str, Any]) -> tuple[Ledgered | None, list[Problem]]:
    """One row: the household to register, or the problems that keep it out."""
    problems: list[Problem] = []

    def refuse(key: str, rule: str, message: str) -> None:
        problems.append(Problem(number, HEADER[key], rule, message))

    raw = {c.key: cells.get(c.header) for c in COLUMNS}
    values = {k: text(v) if k != "registered_on" else v for k, v in raw.items()}
    for key, value in values.items():
        if isinstance(value, str) and CONTROL.search(value):
            refuse(key, "control_character", "含有不可见的控制字符")
            values[key] = None
    for c in COLUMNS:
        if c.required and not values[c.key]:
            refuse(c.key, "required", "必填，不能为空")
    for key, limit in LIMITS.items():
        value = values[key]
        if value and len(value) > limit:
            refuse(key, "too_long", f"至多{limit}字，现为{len(value)}字")
    if values["phone"] and not PHONE.match(values["phone"]):
        refuse("phone", "phone_format", "联系电话应为5至20位数字，可带+、-或空格")
    if values["id_number"] and not ID_NUMBER.match(values["id_number"]):
        refuse("id_number", "id_number_format", "身份证号应为18位，前17位为数字，末位为数字或X")
    fields: dict[str, Any] = {
        k: values[k] for k in ("head_name", "phone", "id_number", "address", "community")
    }
    fields["categories"] = _categories(values["categories"], refuse)
    fields["risk_tier"] = _tier(values["risk_tier"], refuse)
    fields["registered_at"] = _registered(raw["registered_on"], refuse)
    fields["members"] = _members(values["members"], refuse)
    if problems:
        return None, problems
    row = Ledgered(
        number, values["household_id"], {k: v for k, v in fields.items() if v is not None}
    )
    try:
        row.body("ledger-check", "ledger-check")
    except ValidationError as exc:
        for e in exc.errors():
            key = str(e["loc"][0]) if e["loc"] else ""
            column = {"registered_at": "登记日期"}.get(key, HEADER.get(key, key))
            problems.append(Problem(number, column, e["type"], f"不符合要求：{e['msg']}"))
        return None, problems
    return row, []


def _categories(value: str | None, refuse) -> list[str] | None:
    if not value:
        return None
    codes = []
    for w in split(value):
        if w not in CATEGORY_CODES:
            refuse(
                "categories",
                "unknown_value",
                f"“{w}”不是可选的家庭类别，可选：{'、'.join(ALLOWED['家庭类别'])}",
            )
        elif CATEGORY_CODES[w] not in codes:
            codes.append(CATEGORY_CODES[w])
    return codes


def _tier(value: str | None, refuse) -> str | None:
    if not value:
        return None
    if value not in TIER_CODES:
        refuse(
            "risk_tier",
            "unknown_value",
            f"“{value}”不是可选的风险等级，可选：{'、'.join(ALLOWED['风险等级'])}",
        )
        return None
    return TIER_CODES[value]


def _registered(value: Any, refuse) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
        except ValueError:
            refuse("registered_on", "date_format", f"“{value}”不是日期，应如2024-03-16")
            return None
    if not 1900 <= day.year <= 2100:
        refuse("registered_on", "date_range", "登记日期应在1900年至2100年之间")
        return None
    return calendar.at_noon(day)


def _members(value: str | None, refuse) -> list[dict[str, Any]] | None:
    if not value:
        return None
    out = []
    for i, part in enumerate(p.strip() for p in MEMBER_SEPARATORS.split(value) if p.strip()):
        words = part.split()
        relation = RELATION_CODES.get(words[0]) if words else None
        if relation is None:
            refuse(
                "members",
                "member_format",
                f"第{i + 1}人：关系应为{'、'.join(ALLOWED['成员关系'])}之一，格式“关系 姓名 出生年”",
            )
            continue
        year = int(words[-1]) if len(words) > 1 and re.fullmatch(r"\d{4}", words[-1]) else None
        name = " ".join(words[1:-1] if year else words[1:]) or None
        if year is not None and not 1900 <= year <= 2100:
            refuse("members", "member_format", f"第{i + 1}人：出生年应在1900至2100之间")
            continue
        if name and len(name) > 50:
            refuse("members", "too_long", f"第{i + 1}人：姓名至多50字")
            continue
        out.append(
            {"member_id": f"m{i + 1}", "relation": relation, "birth_year": year, "name": name}
        )
    return out

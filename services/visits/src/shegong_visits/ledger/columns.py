"""The columns of the household ledger, as station staff head them, and how a cell reads.

One table for the template, the export and the import, so what the export writes the import
reads. Codes become glossary words on the way out and words become codes on the way in;
several categories or members share a cell, separated by 、 and ； as staff write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from shegong_events.glossary import HOUSEHOLD_CATEGORY, RELATION, RISK_TIER

SHEET = "家庭台账"  # the ledger's sheet; a workbook without it is read from its first sheet
SEPARATORS = re.compile(r"[、,，;；/\s]+")
MEMBER_SEPARATORS = re.compile(r"[；;\n]+")


@dataclass(frozen=True)
class Column:
    key: str  # the field of the household it carries
    header: str  # 户主姓名
    width: int
    required: bool = False
    note: str = ""


COLUMNS = (
    Column("household_id", "家庭编号", 22, note="导出时填写；导入时本站已有此编号的家庭跳过"),
    Column("head_name", "户主姓名", 12, required=True, note="必填，1至50字"),
    Column("phone", "联系电话", 16, note="数字，可带+、-或空格，5至20位"),
    Column("id_number", "身份证号", 22, note="18位，末位可为X"),
    Column("address", "家庭住址", 36, note="至多200字"),
    Column("community", "所属社区", 14, note="至多50字"),
    Column("categories", "家庭类别", 22, required=True, note="见“可选值”表，多个用、分隔"),
    Column("risk_tier", "风险等级", 10, note="见“可选值”表，空白为一般"),
    Column("registered_on", "登记日期", 14, note="日期，如2024-03-16"),
    Column(
        "members", "家庭成员", 40, note="每人“关系 姓名 出生年”，多人用；分隔，如：配偶 张桂兰 1952"
    ),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
CATEGORY_CODES = {w: c for c, w in HOUSEHOLD_CATEGORY.items()}
TIER_CODES = {w: c for c, w in RISK_TIER.items()}
RELATION_CODES = {w: c for c, w in RELATION.items()}
ALLOWED = {  # the sheet of allowed values: column header -> words
    "家庭类别": list(HOUSEHOLD_CATEGORY.values()),
    "风险等级": list(RISK_TIER.values()),
    "成员关系": list(RELATION.values()),
}


def text(value: object) -> str | None:
    """A cell as text: numbers typed into a text column (a phone as 13912345678) read back whole."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    out = str(value).strip()
    return out or None


def split(value: str) -> list[str]:
    return [p for p in SEPARATORS.split(value) if p]


def members_cell(members: list[tuple[str, str | None, int | None]]) -> str | None:
    """(relation code, name, birth year) of each member → 配偶 张桂兰 1952；子女 李明 1980."""
    parts = []
    for relation, name, year in members:
        words = [RELATION.get(relation, relation), name or "", str(year) if year else ""]
        parts.append(" ".join(w for w in words if w))
    return "；".join(parts) or None

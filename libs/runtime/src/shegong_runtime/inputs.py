"""The input policy every service applies at its edge, through shared types.

What a client sends reaches PostgreSQL, time-zone arithmetic and filing numbers; anything
those refuse must be refused here first, as a 422 naming the field and the rule:

- text carries no NUL or control characters (notes may hold newlines and tabs);
- each kind of text has a maximum length, each list a maximum number of items;
- dates and times lie within 1900-2100, in bodies and query parameters alike;
- identifiers match a pattern and a length.

Request models derive from `RequestModel`, whose check walks every value (nested models of
the event contracts too), so a field declared as a plain `str`, `date` or `list` still obeys
the policy; the Annotated types below state the tighter limit of each kind in the OpenAPI.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonDict
from pydantic_core import PydanticCustomError
from shegong_events.ids import IDENTIFIER, PHONE, SLUG, new_id  # noqa: F401  (new_id re-exported)

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
TEXT_CEILING = 4000  # any string without a tighter kind
ITEMS_CEILING = 200  # any list without a tighter limit

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def _rule(rule: str, message: str, **context: Any) -> PydanticCustomError:
    """A refusal whose error type is the rule's name (it becomes `rule` in the problem)."""
    return PydanticCustomError(rule, message, context or None)


def single_line(value: str) -> str:
    if _CONTROL.search(value):
        raise _rule("control_character", "文字中不能有 NUL 或其他控制字符")
    return value


def layout_only(value: str) -> str:
    if _CONTROL_BUT_LAYOUT.search(value):
        raise _rule(
            "control_character",
            "文字中不能有 NUL 或其他控制字符（换行和制表符除外）",
        )
    return value


def in_range(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _rule(
            "date_out_of_range",
            "日期须在 {earliest} 年到 {latest} 年之间",
            earliest=EARLIEST_YEAR,
            latest=LATEST_YEAR,
        )
    return value


MULTILINE: JsonDict = {
    "x-multiline": True
}  # Field(json_schema_extra=MULTILINE): newlines and tabs kept


def _text(max_length: int, *, multiline: bool = False, min_length: int = 1) -> Any:
    check = layout_only if multiline else single_line
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(check),
    ]


# kinds of text, by what staff type into them
Code = _text(64)  # short codes and labels: a category, a channel, a period
Name = _text(100)  # a name of a person, place, team or organisation
Line = _text(200)  # one line: a title, a reason, a venue, an address
Note = _text(4000, multiline=True)  # free text: notes, summaries, descriptions
Phone = Annotated[str, StringConstraints(pattern=PHONE)]

# identifiers chosen by callers or made by services (patterns and `new_id`: shegong_events.ids)
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER, max_length=64)]
# a station, district or organisation id as the registry's contracts spell them (lower case)
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=63)]


# dates and times within the stated range
RANGE = f"between {EARLIEST_YEAR}-01-01 and {LATEST_YEAR}-12-31"
Day = Annotated[
    date,
    AfterValidator(in_range),
    WithJsonSchema({"type": "string", "format": "date", "description": f"a date {RANGE}"}),
]
When = Annotated[
    datetime,
    AfterValidator(in_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": f"a time {RANGE}; without a zone it is China time (UTC+8)",
        }
    ),
]


def items(kind: Any, max_items: int, min_items: int = 0) -> Any:
    """A list of `kind` with at most `max_items` items."""
    return Annotated[list[kind], Field(min_length=min_items, max_length=max_items)]


def _walk(value: Any, path: str, multiline: bool = False) -> None:
    """Applies the policy to a value the declared type did not constrain. Text is one line
    unless its field says it takes several (a Note, or MULTILINE); text inside the event
    contracts' own models may hold layout characters, since their contract decides."""
    if isinstance(value, str):
        if len(value) > TEXT_CEILING:
            raise _rule("text_too_long", f"{path}: 最多 {TEXT_CEILING} 个字符")
        if (_CONTROL_BUT_LAYOUT if multiline else _CONTROL).search(value):
            allowed = "（换行和制表符除外）" if multiline else ""
            raise _rule(
                "control_character",
                f"{path}: 文字中不能有 NUL 或其他控制字符{allowed}",
            )
    elif isinstance(value, date):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise _rule(
                "date_out_of_range", f"{path}: 日期须在 {EARLIEST_YEAR} 年到 {LATEST_YEAR} 年之间"
            )
    elif isinstance(value, (list, tuple, set, frozenset)):
        if len(value) > ITEMS_CEILING:
            raise _rule("too_many_items", f"{path}: 最多 {ITEMS_CEILING} 项")
        for i, item in enumerate(value):
            _walk(item, f"{path}.{i}", multiline)
    elif isinstance(value, dict):
        if len(value) > ITEMS_CEILING:
            raise _rule("too_many_items", f"{path}: 最多 {ITEMS_CEILING} 项")
        for k, item in value.items():
            _walk(k, path)
            _walk(item, f"{path}.{k}", multiline)
    elif isinstance(value, BaseModel) and not isinstance(value, RequestModel):
        for name in type(value).model_fields:
            _walk(getattr(value, name), f"{path}.{name}", multiline=True)


def _multiline(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get("x-multiline"):
        return True
    declared = repr(field.annotation) + repr(field.metadata)  # also inside Optional[...]
    return "layout_only" in declared or "x-multiline" in declared


class RequestModel(BaseModel):
    """Base of every request body: closed (a misspelt field is named), and every value,
    however it is declared, within the input policy."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _policy(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or "value"
        field = cls.model_fields.get(name)
        _walk(value, name, multiline=field is not None and _multiline(field))
        return value

"""Cursor pages for every list: a year of a city's work is never answered in one piece.

A list route takes `limit` (default 50, at most 500) and an opaque `cursor`, and answers
`{"items": [...], "next": cursor-or-null}` with the same next page in a `Link: <...>; rel="next"`
header. Pages are keyset pages (the cursor holds the last row's sort key, never an offset), so
a page costs one index range however deep it is, and rows written meanwhile neither repeat nor
shift a row off the end of a page already read.

    rows, after = await (
        Select(f"SELECT * FROM {s}.households h")
        .when(station_id, "h.station_id = {}")
        .page(rt.pool, HOUSEHOLDS, page)
    )
    return page.answer([present(r) for r in rows], after)

A cursor names its keyset, so a cursor of another list is refused (422 naming `cursor`)
rather than silently starting somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field, is_dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
from fastapi import Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

LIMIT_DEFAULT, LIMIT_MAX = 50, 500
CASTS = frozenset({"text", "timestamptz", "date", "bigint", "integer", "float8", "uuid"})

PARSERS: dict[str, Any] = {
    "timestamptz": datetime.fromisoformat,
    "date": date.fromisoformat,
    "bigint": int,
    "integer": int,
    "float8": float,
    "uuid": uuid.UUID,
}

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    """One page of a list, in the list's stable order."""

    items: list[T]
    next: str | None = Field(
        description="the cursor of the next page (pass it as `cursor`); null on the last page"
    )


@dataclass(frozen=True)
class Key:
    """One sort column: the SQL expression, the field it is selected as, its PostgreSQL type."""

    expr: str
    field: str
    cast: str

    def __post_init__(self) -> None:
        if self.cast not in CASTS:
            raise ValueError(f"a cursor key is one of {sorted(CASTS)}, not {self.cast}")


@dataclass(frozen=True)
class Keyset:
    """A list's stable order: unique over its rows (the last key is an id)."""

    name: str
    keys: tuple[Key, ...]
    descending: bool = False

    @classmethod
    def of(cls, name: str, *keys: str, descending: bool = False) -> Keyset:
        """`Keyset.of("households", "h.station_id:text", "h.household_id:text")`."""
        parsed = []
        for k in keys:
            expr, cast = k.rsplit(":", 1)
            parsed.append(Key(expr, expr.rsplit(".", 1)[-1], cast))
        return cls(name, tuple(parsed), descending)

    @property
    def order_by(self) -> str:
        way = " DESC" if self.descending else ""
        return "ORDER BY " + ", ".join(k.expr + way for k in self.keys)

    def cursor_of(self, row: asyncpg.Record | dict[str, Any]) -> str:
        values = [_text(row[k.field]) for k in self.keys]
        raw = json.dumps({"o": self.name, "k": values}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, cursor: str, source: str = "query") -> list[str]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            body = json.loads(raw)
            values = body["k"]
            ok = body["o"] == self.name and len(values) == len(self.keys)
            ok = ok and all(isinstance(v, str) for v in values)
            if ok:  # each key must read as its column's type
                for v, k in zip(values, self.keys, strict=True):
                    PARSERS.get(k.cast, str)(v)
        except (binascii.Error, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise _refused(source)
        return list(values)


def _refused(source: str = "query") -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "loc": (source, "cursor"),
                "type": "cursor_not_of_this_list",
                "msg": "the cursor is not one this list gave out: start again without it",
            }
        ]
    )


def _text(value: Any) -> str:
    if value is None:
        raise ValueError("a cursor key may not be null: order by non-null columns")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass
class PageRequest:
    """What the caller asked of a list: how many rows, and after which row. `source`: where
    limit and cursor came from, `query` or, for a list read by POST (a search whose criteria
    must stay out of addresses), `body`."""

    limit: int
    cursor: str | None
    request: Request
    response: Response
    source: str = "query"

    def answer(self, items: list[Any], after: str | None) -> dict[str, Any]:
        """The page, with the next one in the body and, for a list read by its address, in a
        `Link` header (one read by POST is asked again with the cursor in its body)."""
        if after is not None and self.source == "query":
            url = self.request.url.include_query_params(cursor=after)
            target = url.path + ("?" + url.query if url.query else "")
            self.response.headers["Link"] = f'<{target}>; rel="next"'
        return {"items": items, "next": after}


async def page_request(
    request: Request,
    response: Response,
    limit: Annotated[
        int, Query(ge=1, le=LIMIT_MAX, description=f"rows per page, at most {LIMIT_MAX}")
    ] = LIMIT_DEFAULT,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=2000,
            pattern="^[A-Za-z0-9_-]+$",
            description="the `next` of the previous page; omit it for the first page",
        ),
    ] = None,
) -> PageRequest:
    return PageRequest(limit, cursor, request, response)


Paging = Annotated[PageRequest, Depends(page_request)]

# limit and cursor as fields of a body, for a list read by POST
Limit = Annotated[int, Field(ge=1, le=LIMIT_MAX, description=f"rows per page, at most {LIMIT_MAX}")]
Cursor = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        pattern="^[A-Za-z0-9_-]+$",
        description="the `next` of the previous page; omit it for the first page",
    ),
]


@dataclass
class Select:
    """A list's statement, built with only the filters asked for (so each shape gets its own
    plan and its own index, never one generic plan with `$1 IS NULL OR ...`)."""

    sql: str
    group_by: str = ""
    args: list[Any] = field(default_factory=list)
    conds: list[str] = field(default_factory=list)

    def where(self, cond: str, *values: Any) -> Select:
        """`cond` with `{}` for each value: `.where("station_id = ANY({})", stations)`."""
        marks = []
        for v in values:
            self.args.append(v)
            marks.append(f"${len(self.args)}")
        self.conds.append(cond.format(*marks))
        return self

    def when(self, value: Any, cond: str) -> Select:
        """The filter only when the caller gave its value."""
        return self.where(cond, value) if value is not None else self

    def within(self, stations: list[str] | None, column: str = "station_id") -> Select:
        """Only rows of these stations (`StationDirectory.scope`); None is the whole city."""
        if stations is None:
            return self
        if len(stations) == 1:
            return self.where(f"{column} = {{}}", stations[0])
        return self.where(f"{column} = ANY({{}}::text[])", stations)

    async def fetch(
        self, db: asyncpg.Pool | asyncpg.Connection, tail: str = ""
    ) -> list[asyncpg.Record]:
        """Every row, unpaged, with `tail` after the WHERE (`GROUP BY ...`, `ORDER BY ...`):
        for counts beside a page and for downloads, never for a list route."""
        where = (" WHERE " + " AND ".join(self.conds)) if self.conds else ""
        return list(await db.fetch(f"{self.sql}{where} {tail}", *self.args))

    def statement(self, keyset: Keyset, after: list[str] | None, limit: int) -> str:
        conds = list(self.conds)
        if after is not None:
            first = len(self.args) + 1
            marks = ", ".join(f"${first + i}::text::{k.cast}" for i, k in enumerate(keyset.keys))
            cols = ", ".join(k.expr for k in keyset.keys)
            conds.append(f"({cols}) {'<' if keyset.descending else '>'} ({marks})")
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        group = f" GROUP BY {self.group_by}" if self.group_by else ""
        return f"{self.sql}{where}{group} {keyset.order_by} LIMIT {int(limit) + 1}"

    async def page(
        self, db: asyncpg.Pool | asyncpg.Connection, keyset: Keyset, page: PageRequest
    ) -> tuple[list[asyncpg.Record], str | None]:
        """Up to `limit` rows after the cursor, and the cursor of the row after them if any."""
        after = keyset.decode(page.cursor, page.source) if page.cursor else None
        sql = self.statement(keyset, after, page.limit)
        try:
            rows = await db.fetch(sql, *self.args, *(after or []))
        except asyncpg.DataError:  # a cursor's key that is not of its column's type
            if after is None:
                raise
            raise _refused(page.source) from None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            return list(rows), keyset.cursor_of(rows[-1])
        return list(rows), None


def slice_of_list(items: list[R], keyset: Keyset, page: PageRequest) -> tuple[list[R], str | None]:
    """A page of a short list held in memory (the stations of a scope, the templates): the same
    contract as the lists read from a table, for lists bounded by design, not by history."""
    after = keyset.decode(page.cursor, page.source) if page.cursor else None
    key = [tuple(_typed(_text(_field(i, k.field)), k.cast) for k in keyset.keys) for i in items]
    order = sorted(range(len(items)), key=lambda n: key[n], reverse=keyset.descending)
    if after is not None:
        try:
            mark = tuple(_typed(v, k.cast) for v, k in zip(after, keyset.keys, strict=True))
        except ValueError:
            raise _refused(page.source) from None
        order = [n for n in order if (key[n] < mark if keyset.descending else key[n] > mark)]
    chosen = [items[n] for n in order[: page.limit]]
    more = len(order) > page.limit
    return chosen, (
        keyset.cursor_of({k.field: _field(chosen[-1], k.field) for k in keyset.keys})
        if more
        else None
    )


def _typed(text: str, cast: str) -> Any:
    """A key as its column would compare it (numbers as numbers, not as text)."""
    if cast in ("integer", "bigint"):
        return int(text)
    if cast == "float8":
        return float(text)
    return text


def _field(item: Any, name: str) -> Any:
    return getattr(item, name) if is_dataclass(item) else item[name]

"""Pages of a list held in memory follow the same contract as the keyset pages of a table:
walked through `next`, every item comes once, in the list's order, whatever the page size."""

from __future__ import annotations

import pytest
from fastapi import Response
from fastapi.exceptions import RequestValidationError
from hypothesis import given
from hypothesis import strategies as st
from shegong_runtime import paging
from starlette.requests import Request

ORDER = paging.Keyset.of("things", "district_id:text", "station_id:text")
NEWEST = paging.Keyset.of("things", "n:integer", descending=True)


def asked(limit: int, cursor: str | None) -> paging.PageRequest:
    request = Request({"type": "http", "path": "/things", "query_string": b"", "headers": []})
    return paging.PageRequest(limit, cursor, request, Response())


def walk(items: list, keyset: paging.Keyset, limit: int) -> list:
    seen, cursor = [], None
    while True:
        chosen, cursor = paging.slice_of_list(items, keyset, asked(limit, cursor))
        assert len(chosen) <= limit
        seen += chosen
        if cursor is None:
            return seen


stations = st.lists(
    st.fixed_dictionaries(
        {"district_id": st.sampled_from("abc"), "station_id": st.uuids().map(str)}
    ),
    max_size=40,
    unique_by=lambda d: d["station_id"],
)


@given(stations, st.integers(min_value=1, max_value=12))
def test_walking_a_short_list_shows_every_item_once_in_order(items, limit):
    seen = walk(items, ORDER, limit)
    assert seen == sorted(items, key=lambda d: (d["district_id"], d["station_id"]))


@given(st.lists(st.integers(0, 10**6), unique=True, max_size=40), st.integers(1, 9))
def test_a_descending_list_walks_from_the_top(numbers, limit):
    items = [{"n": n} for n in numbers]
    assert [d["n"] for d in walk(items, NEWEST, limit)] == sorted(numbers, reverse=True)


def test_the_next_page_is_in_the_body_and_in_a_link_header():
    page = asked(2, None)
    answer = page.answer([{"n": 1}], "abc")
    assert answer == {"items": [{"n": 1}], "next": "abc"}
    assert page.response.headers["link"] == '</things?cursor=abc>; rel="next"'


def test_a_keyset_page_is_one_row_comparison_after_the_cursor_in_the_order_s_own_direction():
    select = paging.Select("SELECT * FROM s.t").where("station_id = {}", "x")
    sql = select.statement(NEWEST, ["5"], 50)
    assert sql == (
        "SELECT * FROM s.t WHERE station_id = $1 AND (n) < ($2::text::integer) "
        "ORDER BY n DESC LIMIT 51"
    )


def test_a_page_asked_for_in_a_body_answers_its_next_cursor_in_the_body_alone():
    """A list read by POST (a search by name) has no address to link to: the cursor goes back
    in the next request's body, and a cursor it refuses is named as the body's."""
    page = asked(2, None)
    page.source = "body"
    assert page.answer([{"n": 1}], "abc") == {"items": [{"n": 1}], "next": "abc"}
    assert "link" not in page.response.headers
    with pytest.raises(RequestValidationError) as refused:
        NEWEST.decode("bm90LWEtY3Vyc29y", page.source)
    assert refused.value.errors()[0]["loc"] == ("body", "cursor")

"""The command request reads the version a command follows in one place: If-Match, or the body's
deprecated `expected_version` where a published contract still carries it; the answer gives
the new version back as the ETag."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shegong_runtime.command_request import (
    FollowsVersion,
    IfMatchInvalid,
    followed_version,
    respond,
)
from shegong_runtime.commands import Answer
from starlette.requests import Request


def request(body: Any = None, **headers: str) -> Request:
    raw = b"" if body is None else json.dumps(body).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope, receive)


@pytest.mark.parametrize("sent", ['"3"', 'W/"3"', "3"])
async def test_if_match_names_the_version_in_any_of_its_spellings(sent):
    assert await followed_version(request({"x": 1}, If_Match=sent)) == 3


async def test_a_body_s_expected_version_is_read_when_no_header_is_sent():
    assert await followed_version(request({"expected_version": 4})) == 4
    assert await followed_version(request({"expected_version": 4}, If_Match='"4"')) == 4
    assert await followed_version(request({"reason": "x"})) is None
    assert await followed_version(request()) is None


async def test_a_header_and_a_body_that_disagree_are_refused_naming_the_header():
    with pytest.raises(IfMatchInvalid) as refused:
        await followed_version(request({"expected_version": 4}, If_Match='"5"'))
    assert refused.value.field == "If-Match"
    with pytest.raises(IfMatchInvalid):
        await followed_version(request(None, If_Match="yesterday"))


def test_the_body_field_is_documented_as_deprecated():
    field = FollowsVersion.model_json_schema()["properties"]["expected_version"]
    assert field["deprecated"] is True and "If-Match" in field["description"]


def test_an_answer_gives_its_version_as_the_etag_and_a_replay_says_so():
    fresh = respond(Answer(201, {"version": 2}, version=2))
    again = respond(Answer(201, {"version": 2}, replayed=True, version=2))
    assert fresh.headers["ETag"] == '"2"' and "Idempotent-Replayed" not in fresh.headers
    assert again.headers["ETag"] == '"2"' and again.headers["Idempotent-Replayed"] == "true"

"""Each service's OpenAPI document says what its routes answer and which headers they read and
write, and every string parameter it takes has a limit."""

from __future__ import annotations

import re

import pytest
from shegong_runtime import catalogue
from shegong_runtime.settings import Settings

SERVICES = ["registry", "visits", "engagement", "stations", "notifications"]


def spec_of(name: str) -> dict:
    return catalogue.service(name).app(Settings(service=name)).openapi()


def operations(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if "operations" not in op.get("tags", []):
                yield path, method, op


def limited(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    return all(
        o.get("type") != "string" or {"pattern", "maxLength", "enum", "format"} & o.keys()
        for o in options
    )


@pytest.mark.parametrize("name", SERVICES)
def test_every_route_documents_its_problems_and_every_command_its_headers(name):
    spec = spec_of(name)
    assert "Problem" in spec["components"]["schemas"]
    for path, method, op in operations(spec):
        command = method == "post" and not op.get("x-reading")
        expected = {"401", "403", "404", "422", "503"} | (
            {"400", "409", "413"} if command else {"400", "413"} if method == "post" else set()
        )
        assert expected <= op["responses"].keys(), (path, method)
        for status in expected:
            content = op["responses"][status]["content"]
            assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
        assert "Retry-After" in op["responses"]["503"]["headers"]
        if method == "post" and not command:  # a reading sent as POST: it changes nothing
            assert "Idempotency-Key" not in {p["name"] for p in op.get("parameters", [])}, path
            assert "409" not in op["responses"], path
        if command:
            names = {p["name"] for p in op["parameters"]}
            assert "Idempotency-Key" in names, path
            success = next(s for s in ("200", "201") if s in op["responses"])
            assert "Idempotent-Replayed" in op["responses"][success]["headers"]
            assert op["responses"][success]["content"]["application/json"]["schema"], path


@pytest.mark.parametrize("name", SERVICES)
def test_every_string_parameter_has_a_limit(name):
    for path, method, op in operations(spec_of(name)):
        for param in op.get("parameters", []):
            assert limited(param["schema"]), (path, method, param["name"], param["schema"])


@pytest.mark.parametrize("name", ["registry", "engagement", "notifications"])
def test_every_command_on_an_existing_aggregate_takes_if_match_and_answers_an_etag(name):
    """One concurrency contract: a command on an aggregate that exists (its id in the path, or
    the station itself) follows the version the caller saw; creating ones do not; every answer
    gives the new version as its ETag."""
    station_edits = {"/stations/{station_id}/updates", "/stations/{station_id}/contact-erasure"}
    for path, method, op in operations(spec_of(name)):
        params = set(re.findall(r"{(\w+)}", path)) - {"station_id"}
        if method == "post" and (params or path in station_edits):
            assert "If-Match" in {p["name"] for p in op["parameters"]}, path
        if method == "post" and not op.get("x-reading"):
            success = next(s for s in ("200", "201") if s in op["responses"])
            assert "ETag" in op["responses"][success]["headers"], path


def test_household_commands_take_if_match_and_its_reading_gives_an_etag():
    spec = spec_of("visits")
    for path, method, op in operations(spec):
        if method == "post" and "{household_id}" in path:
            assert "If-Match" in {p["name"] for p in op["parameters"]}, path
    read = spec["paths"]["/households/{household_id}"]["get"]["responses"]["200"]
    assert "ETag" in read["headers"]


@pytest.mark.parametrize(
    ("name", "model", "field"),
    [
        ("registry", "FileOrganisation", "charter_summary"),
        ("visits", "RegisterHousehold", "community"),
        ("engagement", "ScheduleMeeting", "title"),
        ("notifications", "DefineRule", "description"),
    ],
)
def test_staff_text_is_shown_with_a_chinese_example(name, model, field):
    schema = spec_of(name)["components"]["schemas"][model]["properties"][field]
    examples = schema.get("examples") or [
        e for option in schema.get("anyOf", []) for e in option.get("examples", [])
    ]
    assert any("\u4e00" <= ch <= "\u9fff" for example in examples for ch in example), schema


def test_the_name_search_is_a_reading_sent_as_post_whose_next_page_is_in_the_body():
    """The name travels in the body (an address ends up in logs and histories): the search
    answers the list's page, documents no Link header, and takes limit and cursor in its body."""
    spec = spec_of("visits")
    op = spec["paths"]["/households/search"]["post"]
    assert op["x-reading"] is True and op["operationId"] == "search_households"
    assert not {p["name"] for p in op.get("parameters", [])} & {"name", "cursor", "limit"}
    body = spec["components"]["schemas"]["SearchHouseholds"]
    assert {"name", "station_id", "limit", "cursor"} == set(body["properties"])
    assert body["required"] == ["name"]
    assert body["properties"]["name"]["maxLength"] == 50
    assert body["properties"]["name"]["minLength"] == 1
    ok = op["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/Page_HouseholdRow_")
    assert "Link" not in ok.get("headers", {})


@pytest.mark.parametrize("name", SERVICES)
def test_every_reading_says_what_it_returns(name):
    for path, method, op in operations(spec_of(name)):
        if method != "get" and not op.get("x-reading"):
            continue
        success = op["responses"]["200"]["content"]
        for media, content in success.items():
            assert content.get("schema"), (path, media)


@pytest.mark.parametrize("name", ["registry", "visits", "engagement", "notifications"])
def test_commands_link_to_the_reading_of_what_they_changed(name):
    """OpenAPI links let a client (and schemathesis's stateful phase) follow a command's answer
    to the resource it created or changed."""
    spec = spec_of(name)
    ids = {op.get("operationId") for _, _, op in operations(spec)}
    links = [
        (path, link)
        for path, method, op in operations(spec)
        if method == "post"
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert links, name
    for path, link in links:
        assert link.get("operationId") in ids, (path, link)
        assert link.get("parameters"), (path, link)

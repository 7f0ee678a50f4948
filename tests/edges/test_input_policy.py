"""Every request of the kinds a careless or hostile client sends answers a 4xx naming the
rule (and the field), in the problem-details shape; none is a 500; the services stay ready.

The kinds come from issue 12: NUL in text and in query parameters, a 3,000-character
Idempotency-Key, year 1 and 9999 in bodies and query parameters, an approval dated in year
371, a 20 MB body, a 10,000-item list.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from shegong_runtime import catalogue
from shegong_testing.http import bearer, service_client, settings_for

SERVICES = ["registry", "visits", "engagement", "stations", "notifications"]
ST = "xigu-fulilu"
NUL = "社区\u0000活动室"

HOUSEHOLD = {"station_id": ST, "categories": ["temporary_assistance"], "head_name": "张三"}
ORGANISATION = {
    "name": "测试合唱团",
    "category": "culture_sports",
    "community": "测试社区",
    "responsible_person": "测试负责人",
    "members": 15,
    "activity_area": "测试社区",
    "charter_summary": "每周排练两次",
}
VOLUNTEER = {"name": "李四", "category": "student"}
RULE = {
    "rule_id": "r-edges",
    "station_id": ST,
    "trigger": "NeedIdentified",
    "audience": {"role": "station_lead"},
    "channel": "inbox",
    "template_id": "urgent-need",
}
ORG = f"/stations/{ST}/organisations/org-edges"

# (service, method, path, query, body, status, rule, field)
REFUSED = [
    # NUL in free text, in bodies
    (
        "visits",
        "POST",
        "/households",
        None,
        {**HOUSEHOLD, "community": NUL},
        422,
        "control_character",
        "community",
    ),
    (
        "engagement",
        "POST",
        f"/stations/{ST}/volunteers",
        None,
        {**VOLUNTEER, "affiliation": NUL},
        422,
        "control_character",
        "affiliation",
    ),
    (
        "registry",
        "POST",
        f"/stations/{ST}/organisations",
        None,
        {**ORGANISATION, "venue": NUL},
        422,
        "control_character",
        "venue",
    ),
    (
        "registry",
        "POST",
        f"{ORG}/returns",
        None,
        {"reasons": [NUL]},
        422,
        "control_character",
        "reasons.0",
    ),
    (
        "notifications",
        "POST",
        "/rules",
        None,
        {**RULE, "description": NUL},
        422,
        "control_character",
        "description",
    ),
    # NUL in query parameters, on every service
    (
        "registry",
        "GET",
        "/organisations/pending",
        {"older_than_days": "1", "station_id": "a\x00b"},
        None,
        422,
        "control_character",
        "station_id",
    ),
    (
        "visits",
        "GET",
        "/households",
        {"station_id": "a\x00b"},
        None,
        422,
        "control_character",
        "station_id",
    ),
    (
        "engagement",
        "GET",
        "/meetings",
        {"station_id": "a\x00b"},
        None,
        422,
        "control_character",
        "station_id",
    ),
    (
        "stations",
        "GET",
        "/completeness",
        {"district": "a\x00b"},
        None,
        422,
        "control_character",
        "district",
    ),
    (
        "notifications",
        "GET",
        "/rules",
        {"station_id": "a\x00b"},
        None,
        422,
        "control_character",
        "station_id",
    ),
    # years 1 and 9999 in bodies
    (
        "visits",
        "POST",
        "/households",
        None,
        {**HOUSEHOLD, "registered_at": "0001-01-01T00:00:00"},
        422,
        "date_out_of_range",
        "registered_at",
    ),
    (
        "visits",
        "POST",
        "/households",
        None,
        {**HOUSEHOLD, "registered_at": "9999-12-31T23:59:59"},
        422,
        "date_out_of_range",
        "registered_at",
    ),
    (
        "visits",
        "POST",
        "/households/h-edges/visits",
        None,
        {"visited_at": "0001-01-01T00:00:00+08:00", "mode": "home", "social_worker_ids": ["sw-1"]},
        422,
        "date_out_of_range",
        "visited_at",
    ),
    (
        "visits",
        "POST",
        "/households/h-edges/follow-ups",
        None,
        {"follow_up_on": "9999-12-31", "social_worker_id": "sw-1"},
        422,
        "date_out_of_range",
        "follow_up_on",
    ),
    (
        "registry",
        "POST",
        f"/stations/{ST}/organisations",
        None,
        {**ORGANISATION, "occurred_at": "9999-12-31T23:59:59"},
        422,
        "date_out_of_range",
        "occurred_at",
    ),
    (
        "engagement",
        "POST",
        f"/stations/{ST}/volunteers",
        None,
        {**VOLUNTEER, "enrolled_on": "0001-01-01"},
        422,
        "date_out_of_range",
        "enrolled_on",
    ),
    # an approval dated in year 371 would build a filing number breaking its own pattern
    (
        "registry",
        "POST",
        f"{ORG}/approvals",
        None,
        {"occurred_at": "0371-05-01T10:00:00"},
        422,
        "date_out_of_range",
        "occurred_at",
    ),
    # years 1 and 9999 in query parameters
    (
        "registry",
        "GET",
        "/organisations/pending",
        {"older_than_days": "1", "as_of": "0001-01-01T00:00:00"},
        None,
        422,
        "date_out_of_range",
        "as_of",
    ),
    (
        "visits",
        "GET",
        "/visits/overdue",
        {"as_of": "9999-12-31T23:59:59"},
        None,
        422,
        "date_out_of_range",
        "as_of",
    ),
    (
        "engagement",
        "GET",
        "/action-items",
        {"as_of": "9999-12-31"},
        None,
        422,
        "date_out_of_range",
        "as_of",
    ),
    ("stations", "GET", "/stations", {"on": "0001-01-01"}, None, 422, "date_out_of_range", "on"),
    ("stations", "GET", "/city", {"on": "9999-12-31"}, None, 422, "date_out_of_range", "on"),
    # a 10,000-item list
    (
        "visits",
        "POST",
        "/households",
        None,
        {**HOUSEHOLD, "categories": ["temporary_assistance"] * 10_000},
        422,
        "too_long",
        "categories",
    ),
    (
        "engagement",
        "POST",
        f"/stations/{ST}/volunteers",
        None,
        {**VOLUNTEER, "skills": ["陪伴"] * 10_000},
        422,
        "too_long",
        "skills",
    ),
    # a list declared without its own limit still has the policy's
    (
        "registry",
        "POST",
        f"{ORG}/returns",
        None,
        {"reasons": ["材料不全"] * 10_000},
        422,
        "too_long",
        "reasons",
    ),
]

WRITES = {
    "registry": ("POST", f"/stations/{ST}/organisations"),
    "visits": ("POST", "/households"),
    "engagement": ("POST", f"/stations/{ST}/volunteers"),
    "notifications": ("POST", "/rules"),
}


@pytest.fixture(scope="module")
async def clients(database_url, nats_url):
    async with AsyncExitStack() as stack:
        opened = {}
        for name in SERVICES:
            svc = catalogue.service(name)
            opened[name] = await stack.enter_async_context(
                service_client(svc, database_url, nats_url)
            )
        yield opened


@pytest.fixture(scope="module")
def admin(database_url, nats_url):
    return bearer(settings_for(database_url, nats_url, "registry"), "city_admin")


def assert_problem(r, status: int, rule: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail", "rule"} <= body.keys()
    assert body["status"] == status
    if field is None:
        assert body["rule"] == rule
    else:
        assert (field, rule) in {(e["field"], e["rule"]) for e in body["errors"]}, body


@pytest.mark.parametrize(
    ("service", "method", "path", "query", "body", "status", "rule", "field"),
    REFUSED,
    ids=[f"{r[0]}-{r[2]}-{r[7]}-{r[6]}" for r in REFUSED],
)
async def test_bad_input_is_refused_naming_the_field_and_the_rule(
    clients, admin, service, method, path, query, body, status, rule, field
):
    r = await clients[service].request(method, path, params=query, json=body, headers=admin)
    assert_problem(r, status, rule, field)


@pytest.mark.parametrize("service", sorted(WRITES))
async def test_an_idempotency_key_of_3000_characters_is_a_400(clients, admin, service):
    method, path = WRITES[service]
    r = await clients[service].request(
        method, path, json={}, headers={**admin, "Idempotency-Key": "k" * 3000}
    )
    assert_problem(r, 400, "idempotency_key_invalid", "Idempotency-Key")


@pytest.mark.parametrize("key", ["", " ", "ключ", "k\tk"])
async def test_an_idempotency_key_that_is_not_printable_ascii_is_a_400(clients, admin, key):
    headers = [*admin.items(), ("Idempotency-Key", key.encode("utf-8"))]
    r = await clients["visits"].post("/households", json=HOUSEHOLD, headers=headers)
    assert_problem(r, 400, "idempotency_key_invalid", "Idempotency-Key")


@pytest.mark.parametrize("service", sorted(WRITES))
async def test_a_20_mb_body_is_a_413_before_it_is_parsed(clients, admin, service):
    method, path = WRITES[service]
    body = b'{"name": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    r = await clients[service].request(
        method, path, content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert_problem(r, 413, "body_too_large")


async def test_a_streamed_body_without_length_is_cut_off_at_the_limit(clients, admin):
    async def chunks():
        for _ in range(40):
            yield b"a" * (512 * 1024)

    r = await clients["registry"].post(
        f"/stations/{ST}/organisations",
        content=chunks(),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_problem(r, 413, "body_too_large")


async def test_the_body_limit_is_a_setting(database_url, nats_url, admin):
    svc = catalogue.service("visits")
    async with service_client(svc, database_url, nats_url, http_max_body_bytes=64) as client:
        r = await client.post(
            "/households", json={**HOUSEHOLD, "community": "社区" * 40}, headers=admin
        )
    assert_problem(r, 413, "body_too_large")


async def test_newlines_and_tabs_are_kept_in_notes_but_not_in_one_line_fields(clients, admin):
    notes = await clients["registry"].post(
        f"/stations/{ST}/organisations",
        json={**ORGANISATION, "charter_summary": "第一条\n第二条\t附注", "community": "测试\n社区"},
        headers=admin,
    )
    fields = {(e["field"], e["rule"]) for e in notes.json()["errors"]}
    assert ("community", "control_character") in fields
    assert not any(f == "charter_summary" for f, _ in fields)


async def test_a_domain_refusal_has_the_same_shape(clients, admin):
    r = await clients["registry"].post(
        "/stations/never-opened/organisations", json=ORGANISATION, headers=admin
    )
    assert_problem(r, 422, "UnknownStation")


async def test_an_unknown_route_has_the_same_shape(clients, admin):
    assert_problem(await clients["visits"].get("/no-such-thing", headers=admin), 404, "not_found")


async def test_every_service_is_ready_after_all_of_it(clients):
    for name, client in clients.items():
        r = await client.get("/readyz")
        assert r.status_code == 200, (name, r.text)


def test_a_time_without_a_zone_is_station_time_once_it_is_parsed():
    """The edge gives a zoneless time the station's zone, so no command or rule behind it
    normalises it again."""
    from datetime import datetime, timedelta

    from pydantic import TypeAdapter
    from shegong_events.calendar import STATION_TZ
    from shegong_runtime.inputs import When

    parsed: datetime = TypeAdapter(When).validate_python("2024-03-22T10:00:00")
    assert parsed == datetime(2024, 3, 22, 10, tzinfo=STATION_TZ)
    assert parsed.utcoffset() == timedelta(hours=8)
    given: datetime = TypeAdapter(When).validate_python("2024-03-22T02:00:00Z")
    assert given.utcoffset() == timedelta(0) and given == parsed

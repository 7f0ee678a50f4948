"""Stations through the registry's HTTP API: opened once, learned by every service from events."""

import pytest
from shegong_registry.bootstrap import service
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, service_client, settings_for


@pytest.fixture(scope="module")
async def registry(database_url, nats_url):
    async with service_client(service, database_url, nats_url) as client:
        yield client


@pytest.fixture
def admin(database_url, nats_url):
    return bearer(settings_for(database_url, nats_url, "registry"), "city_admin")


def station_body(station_id):
    return {
        "station_id": station_id,
        "name": "测试街道社工站",
        "city": "兰州市",
        "district_id": "chengguan",
        "district_name": "城关区",
        "street": "测试街道",
        "kind": "street",
        "lead": "王站长",
        "contact": "13800000000",
    }


async def test_opened_station_is_learned_from_the_bus(registry, admin, unique):
    sid = unique("st").replace("_", "-")
    r = await registry.post("/stations", json=station_body(sid), headers=admin)
    assert r.status_code == 201, r.text

    async def listed():
        rows = await every(registry, "/stations", None, headers=admin)
        return [row for row in rows if row["station_id"] == sid]

    rows = await eventually(listed)
    assert rows[0]["district_id"] == "chengguan"


async def test_opening_a_station_twice_is_a_conflict_and_a_retry_is_not(registry, admin, unique):
    sid = unique("st").replace("_", "-")
    key = {"Idempotency-Key": unique("key")}
    first = await registry.post("/stations", json=station_body(sid), headers={**admin, **key})
    retry = await registry.post("/stations", json=station_body(sid), headers={**admin, **key})
    again = await registry.post("/stations", json=station_body(sid), headers=admin)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert again.status_code == 409 and again.json()["rule"] == "StationAlreadyOpened"


async def test_bad_station_input_names_the_field(registry, admin):
    body = station_body("Bad Id!")
    body["kind"] = "village"
    r = await registry.post("/stations", json=body, headers=admin)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"station_id", "kind"}


async def test_only_city_admin_opens_stations_and_everyone_needs_a_token(
    registry, database_url, nats_url, unique
):
    settings = settings_for(database_url, nats_url, "registry")
    sid = unique("st").replace("_", "-")
    worker = bearer(settings, "social_worker", [sid])
    assert (await registry.post("/stations", json=station_body(sid))).status_code == 401
    assert (
        await registry.post("/stations", json=station_body(sid), headers=worker)
    ).status_code == 403

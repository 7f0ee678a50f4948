"""Fixtures for the registry's tests: one service per module, stations opened through its API,
tokens per role, and a desk that files organisations and steps them through their lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from shegong_registry.bootstrap import service
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, service_client, settings_for

STEPS = {
    "return": ("returns", {"reasons": ["章程摘要不完整"]}),
    "resubmit": ("resubmissions", {"charter_summary": "补正后的章程摘要", "note": "已补正"}),
    "approve": ("approvals", {}),
    "change": ("changes", {"members": 30}),
    "convert": ("conversions", {"volunteers": 12, "service_focus": "助老陪伴"}),
    "deregister": ("deregistrations", {"reason": "团队解散"}),
}
PATH_TO = {
    "pending": [],
    "returned": ["return"],
    "approved": ["approve"],
    "volunteer_team": ["approve", "convert"],
    "deregistered": ["approve", "deregister"],
}


def uid() -> str:
    return uuid.uuid4().hex[:10]


@dataclass(frozen=True)
class Stations:
    a: str  # district_a
    b: str  # district_b
    district_a: str
    district_b: str


@pytest.fixture(scope="module")
async def registry(database_url, nats_url):
    async with service_client(service, database_url, nats_url) as client:
        yield client


@pytest.fixture(scope="module")
def settings(database_url, nats_url) -> Settings:
    return settings_for(database_url, nats_url, "registry")


@pytest.fixture(scope="module")
async def stations(registry, settings) -> Stations:
    """Two stations in two districts of their own, opened through the registry and learned back."""
    s = Stations(f"st-{uid()}-a", f"st-{uid()}-b", f"d-{uid()}", f"d-{uid()}")
    admin = bearer(settings, "city_admin")
    for station_id, district_id in ((s.a, s.district_a), (s.b, s.district_b)):
        body = {
            "station_id": station_id,
            "name": "测试街道社工站",
            "city": "兰州市",
            "district_id": district_id,
            "district_name": "测试区",
            "street": "测试街道",
            "kind": "street",
        }
        r = await registry.post("/stations", json=body, headers=admin)
        assert r.status_code == 201, r.text

    async def learned():
        listed = {
            row["station_id"] for row in await every(registry, "/stations", None, headers=admin)
        }
        return {s.a, s.b} <= listed

    await eventually(learned)
    return s


@dataclass(frozen=True)
class Tokens:
    admin: dict
    worker_a: dict
    lead_a: dict
    officer_a: dict
    officer_b: dict
    integrator: dict


@pytest.fixture(scope="module")
def tokens(settings, stations) -> Tokens:
    return Tokens(
        admin=bearer(settings, "city_admin"),
        worker_a=bearer(settings, "social_worker", [stations.a]),
        lead_a=bearer(settings, "station_lead", [stations.a]),
        officer_a=bearer(settings, "district_officer", district=stations.district_a),
        officer_b=bearer(settings, "district_officer", district=stations.district_b),
        integrator=bearer(settings, "integrator"),
    )


class Desk:
    """Files organisations and steps them, as a station's staff would over HTTP."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, stations: Stations) -> None:
        self.client, self.tokens, self.stations = client, tokens, stations

    @staticmethod
    def new_id(prefix: str = "org") -> str:
        return f"{prefix}-{uid()}"

    @staticmethod
    def new_name(base: str = "测试合唱团") -> str:
        return f"{base}{uid()}"

    def filing(self, org_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        body = {
            "organisation_id": org_id or f"org-{uid()}",
            "name": f"测试合唱团{uid()}",
            "category": "culture_sports",
            "community": "测试社区",
            "responsible_person": "测试负责人",
            "responsible_phone": "13900000000",
            "venue": "社区活动室",
            "members": 15,
            "activity_area": "测试社区",
            "charter_summary": "每周排练两次",
        }
        return {k: v for k, v in {**body, **overrides}.items() if v is not None}

    async def file(
        self,
        station: str | None = None,
        headers: dict | None = None,
        key: str | None = None,
        **overrides: Any,
    ) -> httpx.Response:
        return await self.client.post(
            f"/stations/{station or self.stations.a}/organisations",
            json=self.filing(**overrides),
            headers={**(headers or self.tokens.lead_a), "Idempotency-Key": key or uid()},
        )

    async def step(
        self,
        command: str,
        org_id: str,
        body: dict | None = None,
        station: str | None = None,
        headers: dict | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        path, default = STEPS[command]
        return await self.client.post(
            f"/stations/{station or self.stations.a}/organisations/{org_id}/{path}",
            json=default if body is None else body,
            headers={**(headers or self.tokens.lead_a), "Idempotency-Key": key or uid()},
        )

    async def in_state(self, status: str, **overrides: Any) -> str:
        """A fresh organisation brought to `status` through the legal steps."""
        org_id = f"org-{uid()}"
        r = await self.file(org_id=org_id, **overrides)
        assert r.status_code == 201, r.text
        for command in PATH_TO[status]:
            r = await self.step(command, org_id)
            assert r.status_code == 200, r.text
        assert r.json()["status"] == status
        return org_id

    async def read(self, org_id: str, until: Any = bool, station: str | None = None) -> dict:
        """The organisation's read model, once `until(row)` holds (read models are eventual)."""

        async def ready():
            r = await self.client.get(
                f"/stations/{station or self.stations.a}/organisations/{org_id}",
                headers=self.tokens.admin,
            )
            return r.status_code == 200 and until(r.json()) and r.json()

        return await eventually(ready)


@pytest.fixture(scope="module")
def desk(registry, tokens, stations) -> Desk:
    return Desk(registry, tokens, stations)


async def events_of(pool, aggregate_id: str) -> list[dict]:
    rows = await pool.fetch(
        "SELECT event_type, aggregate_version, data::text AS data FROM registry.event_log "
        "WHERE aggregate_id = $1 ORDER BY aggregate_version",
        aggregate_id,
    )
    return [dict(r) for r in rows]


@pytest.fixture
def stored():
    """The registry's event store rows of one aggregate: what was durably written."""
    return events_of

"""One engagement service for the whole run, against real PostgreSQL and NATS, with test stations.

Stations: two in 城关区 (`a`, `b`), one in 西固区 (`x`), and `half` whose quorum the settings
override to half the members present; ids carry a per-run suffix.
"""

import json
import uuid
from dataclasses import dataclass

import nats
import pytest
from shegong_engagement.bootstrap import service
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, open_stations, service_client, settings_for


@dataclass(frozen=True)
class Stations:
    a: str
    b: str
    x: str
    half: str


@pytest.fixture(scope="session")
def stations() -> Stations:
    run = uuid.uuid4().hex[:6]
    return Stations(f"eng-{run}-a", f"eng-{run}-b", f"eng-{run}-x", f"eng-{run}-half")


@pytest.fixture(scope="session")
def settings(database_url, nats_url):
    return settings_for(database_url, nats_url, "engagement")


@pytest.fixture(scope="session")
async def engagement(database_url, nats_url, stations, settings):
    with pytest.MonkeyPatch.context() as env:  # the service reads its settings when it starts
        env.setenv(
            "SHEGONG_ENGAGEMENT_QUORUM_BY_STATION",
            json.dumps({stations.half: {"attendance": "1/2"}}),
        )
        env.setenv("SHEGONG_ENGAGEMENT_SESSION_LIMIT_HOURS", "8")
        env.setenv("SHEGONG_ENGAGEMENT_SWEEP_INTERVAL_S", "0.3")
        async with service_client(service, database_url, nats_url) as client:
            nc = await nats.connect(nats_url)
            try:
                pairs = [
                    (stations.a, "chengguan"),
                    (stations.b, "chengguan"),
                    (stations.x, "xigu"),
                    (stations.half, "chengguan"),
                ]
                await open_stations(nc, settings, pairs)
            finally:
                await nc.close()
            known = client.app.state.runtime.stations

            async def all_known():
                return {s for s, _ in pairs} <= set(await known.all())

            await eventually(all_known)
            yield client


@pytest.fixture(scope="session")
def tokens(settings, stations):
    """Bearer headers by who is asking."""

    def make(role, stations_=(), district=None):
        return bearer(settings, role, stations_, district, subject=f"{role}-tester")

    return {
        "worker_a": make("social_worker", [stations.a, stations.half]),
        "lead_a": make("station_lead", [stations.a]),
        "worker_b": make("social_worker", [stations.b]),
        "chengguan": make("district_officer", district="chengguan"),
        "admin": make("city_admin"),
        "integrator": make("integrator"),
    }


@pytest.fixture
def key(unique):
    """A fresh Idempotency-Key header per call."""
    return lambda: {"Idempotency-Key": unique("key")}

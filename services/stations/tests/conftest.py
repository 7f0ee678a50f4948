"""One stations service for each test module, and the source week published once per run."""

from __future__ import annotations

import pytest
from shegong_stations.bootstrap import service
from shegong_testing.http import bearer, service_client, settings_for

from .write_services import demo_week_loaded


@pytest.fixture(scope="session")
def settings(database_url, nats_url):
    return settings_for(database_url, nats_url, "stations")


@pytest.fixture(scope="session")
async def demo_week(database_url, nats_url, settings):
    """The source week (2024-03-16..22) recorded through the real write services' APIs by their
    own demo loaders; they keep running for the session so their relays publish everything."""
    async with demo_week_loaded(database_url, nats_url, settings):
        yield


@pytest.fixture(scope="module")
async def board(database_url, nats_url):
    async with service_client(service, database_url, nats_url) as client:
        yield client


@pytest.fixture(scope="session")
def admin(settings):
    return bearer(settings, "city_admin", subject="市民政局")


@pytest.fixture(scope="session")
def token_for(settings):
    """Headers for a role and scope: token_for("district_officer", district="chengguan")."""
    return lambda role, stations=(), district=None: bearer(settings, role, stations, district)


@pytest.fixture
def ids(unique):
    """Unique ids shaped as the board's (hyphens, no underscores)."""
    return lambda prefix: unique(prefix).replace("_", "-")

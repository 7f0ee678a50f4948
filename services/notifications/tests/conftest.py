"""Fixtures of the notification tests: the service in this process, one per module (a module
adds settings through `service_env`), an admin's bearer, a fresh station the service knows,
and a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from shegong_runtime.settings import Settings
from shegong_testing.http import bearer

from .helpers import Receiver, service_in_process, station_ids, station_known


@pytest.fixture(scope="module")
def service_env() -> dict[str, str]:
    """Settings the module's service starts with, beyond the fast timings every module gets."""
    return {}


@pytest.fixture(scope="module")
async def notifications(
    database_url: str, nats_url: str, service_env: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with service_in_process(database_url, nats_url, **service_env) as client:
        yield client


@pytest.fixture
def settings(notifications: httpx.AsyncClient) -> Settings:
    return notifications.app.state.settings  # type: ignore[attr-defined]  # the ASGI app under test


@pytest.fixture
def admin(settings: Settings) -> dict[str, str]:
    return bearer(settings, "city_admin", subject="admin")


@pytest.fixture
async def station(
    notifications: httpx.AsyncClient, nc: Any, unique: Callable[[str], str]
) -> tuple[str, str]:
    """A fresh station in a fresh district, learned by the service, so no other test's rules
    match its events."""
    station_id, district_id = station_ids(unique)
    await station_known(notifications, nc, station_id, district_id)
    return station_id, district_id


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()

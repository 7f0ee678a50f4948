"""One running stack per test session: the write services with the source week, the stations
board, and the workbench over real HTTP with its demo users."""

from __future__ import annotations

import httpx
import pytest

from .link import Link
from .services import stack_running


@pytest.fixture(scope="session")
async def stack(database_url, nats_url):
    async with stack_running(database_url, nats_url) as running:
        yield running


@pytest.fixture
async def web(stack):
    """A client of the workbench, not signed in; cookies kept between calls."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        yield client


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = "shegong-demo"
) -> httpx.Response:
    return await client.post(
        "/signin",
        content=f"username={username}&password={password}&next=/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


@pytest.fixture
async def link(stack):
    """The phone's network to the workbench; up unless a test cuts it."""
    cable = Link(stack.port)
    await cable.up()
    yield cable
    await cable.down()

"""The write services (registry, visits, engagement) in-process, loading the demo week through
their own HTTP APIs with their own demo loaders, as `shegong up` does over real ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from shegong_runtime import catalogue
from shegong_runtime.demo import DemoClient, admin_token
from shegong_runtime.settings import Settings
from shegong_testing.http import service_client

WRITERS = ("registry", "visits", "engagement")


@asynccontextmanager
async def demo_week_loaded(
    database_url: str, nats_url: str, settings: Settings
) -> AsyncIterator[None]:
    """Start the write services, run their demo loaders in start order; keep them running (their
    relays publish what they stored) until the context ends."""
    async with AsyncExitStack() as stack:
        transports: dict[str, httpx.ASGITransport] = {}
        for name in WRITERS:
            client = await stack.enter_async_context(
                service_client(catalogue.service(name), database_url, nats_url)
            )
            transports[name] = httpx.ASGITransport(app=client.app)
        demo = DemoClient(urls={}, token=admin_token(settings), transports=transports)
        loaders = dict(catalogue.demo_loaders())
        for name in WRITERS:
            await loaders[name](demo)
        yield

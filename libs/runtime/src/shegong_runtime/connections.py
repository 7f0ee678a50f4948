"""Opening the database pool and the bus from settings, with patient retries at start."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from nats.aio.client import Client
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from shegong_runtime import bus
from shegong_runtime.settings import Settings

T = TypeVar("T")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Our pooled connections keep no session state (no SET, LISTEN, or advisory locks: the
    relay takes its lock on a connection of its own), so skip asyncpg's reset round trip."""


async def create_pool(database_url: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        database_url, min_size=min_size, max_size=max_size, reset=_keep_session
    )


async def patiently(
    step: Callable[[], Awaitable[T]],
    seconds: float = 60,
    retry: Callable[[BaseException], bool] = lambda _: True,
) -> T:
    """A start-up step retried while a server is briefly away (a restart, a leader election);
    `retry` tells a refusal that no retry will change from an outage."""
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(seconds),
        wait=wait_exponential(max=2),
        reraise=True,
        retry=retry_if_exception(retry),
    ):
        with attempt:
            return await step()
    raise AssertionError("unreachable")


async def open_pool(settings: Settings, max_size: int = 10) -> asyncpg.Pool:
    return await patiently(lambda: create_pool(settings.database_url, max_size=max_size), 30)


async def open_bus(settings: Settings, name: str) -> Client:
    return await patiently(lambda: bus.connect(settings, name), 30)


@asynccontextmanager
async def opened(
    settings: Settings, name: str, max_size: int = 10
) -> AsyncIterator[tuple[asyncpg.Pool, Client]]:
    """The database pool and the bus for one command, closed (bus drained) however it ends."""
    pool = await open_pool(settings, max_size=max_size)
    try:
        nc = await open_bus(settings, name)
        try:
            yield pool, nc
        finally:
            await nc.drain()
    finally:
        await pool.close()


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database (keeps user, host and query such as ?host=)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/") or "postgres"


def load_object(spec: str) -> Any:
    """`package.module:attribute`, for commands that take a projection or an app by name."""
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj

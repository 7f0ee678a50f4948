"""The test harness as a pytest plugin: real PostgreSQL and real NATS for every test.

URLs come from DATABASE_URL / NATS_URL when set; else testcontainers when a Docker engine
answers; else the embedded servers. Every run gets a fresh database and fresh streams.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from shegong_runtime.cluster import EmbeddedCluster
from shegong_runtime.connections import create_pool, with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no Docker engine, in whatever way it says so
        return False


def _server_url(
    env_var: str,
    container: Callable[[], Any],
    url_of: Callable[[Any], str],
    embedded: Callable[[Path], Any],
) -> Iterator[str]:
    """The harness's one rule for every server: the URL from the environment, else a
    testcontainer when Docker answers, else an embedded server in a temporary folder."""
    if os.environ.get(env_var):
        yield os.environ[env_var]
        return
    if docker_answers():
        with container() as running:
            yield url_of(running)
        return
    with tempfile.TemporaryDirectory(prefix=f"shegong-{env_var.lower()}-") as tmp:
        server = embedded(Path(tmp)).start()
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="session")
def nats_server_url() -> Iterator[str]:
    """One NATS for the session; SHEGONG_TEST_NATS_CLUSTER=3 makes the embedded one a cluster."""

    def container() -> Any:
        from testcontainers.nats import NatsContainer

        return NatsContainer("nats:2.11", jetstream=True)

    size = int(os.environ.get("SHEGONG_TEST_NATS_CLUSTER", "1"))
    embedded: Callable[[Path], Any] = (
        (lambda tmp: EmbeddedCluster(tmp, size)) if size > 1 else EmbeddedNats
    )
    yield from _server_url("NATS_URL", container, lambda c: c.nats_uri(), embedded)


@pytest.fixture
def nats_cluster(tmp_path: Path) -> Iterator[EmbeddedCluster]:
    """A fresh three-node JetStream cluster of the pinned wheel on loopback, for tests that kill
    its nodes (always embedded: a test must own the servers it kills)."""
    cluster = EmbeddedCluster(tmp_path / "nats-cluster", 3).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    def container() -> Any:
        from testcontainers.postgres import PostgresContainer

        return PostgresContainer("postgres:15", driver=None)

    yield from _server_url(
        "DATABASE_URL", container, lambda c: c.get_connection_url(), EmbeddedPostgres
    )


@contextmanager
def fresh_database(server_url: str, prefix: str = "shegong_test") -> Iterator[str]:
    """A database of its own on the server, dropped afterwards (outside any event loop)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    try:
        yield with_database(server_url, name)
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh database for this run, dropped afterwards."""
    with fresh_database(postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def nats_url(nats_server_url: str) -> str:
    """Fresh streams for this run: every Shegong stream left by an earlier run is deleted."""

    async def clean() -> None:
        nc = await nats.connect(nats_server_url)
        try:
            js = nc.jetstream()
            for info in await js.streams_info():
                name = info.config.name or ""
                if name.startswith(("SW_", "SWP_")):
                    await js.delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(clean())
    return nats_server_url


@pytest.fixture(scope="session")
def stack_env(database_url: str, nats_url: str) -> dict[str, str]:
    """Environment for a Shegong process started by a test."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "SHEGONG_LOG_JSON": "true",
        "SHEGONG_DATABASE_POOL_SIZE": os.environ.get(
            "SHEGONG_DATABASE_POOL_SIZE", "4"
        ),  # many processes, one server
    }


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(database_url, min_size=1, max_size=20)
    try:
        yield p
    finally:
        await p.close()


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Any]:
    client = await nats.connect(nats_url)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Unique ids per test, so tests never depend on each other's data."""

    def new(prefix: str = "t") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    return new


async def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll with a deadline instead of sleeping; returns the first truthy result."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")

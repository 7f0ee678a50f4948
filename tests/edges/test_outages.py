"""An outage is a 503 naming the dependency, with Retry-After and one log line; the service is
healthy again once the dependency is back.

PostgreSQL goes away through a TCP proxy the test owns: closing it refuses new connections
and cuts the pool's open ones, as a database restart does; opening it again on the same port
brings the database back.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import nats.errors
import nats.js.errors
import pytest
from shegong_registry.bootstrap import service
from shegong_runtime import outages
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, service_client, settings_for

from .servers import Recorder


class Proxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until closed; can be opened again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links -= {writer, up_writer}


@pytest.fixture
async def proxy(database_url):
    parts = urlsplit(database_url)
    p = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await p.open()
    yield p
    if p.server is not None and p.server.is_serving():
        await p.close()


def through(database_url: str, port: int) -> str:
    parts = urlsplit(database_url)
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


async def test_postgresql_out_of_reach_is_a_503_and_the_service_recovers(
    proxy, database_url, nats_url, monkeypatch
):
    url = through(database_url, proxy.port)
    admin = bearer(settings_for(url, nats_url, "registry"), "city_admin")
    async with service_client(service, url, nats_url) as registry:
        assert (await registry.get("/stations", headers=admin)).status_code == 200
        log = Recorder()
        monkeypatch.setattr(outages, "log", log)

        await proxy.close()  # PostgreSQL goes away: open connections cut, new ones refused
        read = await registry.get("/stations", headers=admin)
        write = await registry.post(
            "/stations/xigu-fulilu/organisations/org-x/approvals", json={}, headers=admin
        )
        ready = await registry.get("/readyz")

        for r in (read, write):
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"].isdigit()
            assert r.headers["content-type"].startswith("application/problem+json")
            assert (r.json()["rule"], r.json()["dependency"]) == (
                "dependency_unavailable",
                "postgresql",
            )
        assert ready.status_code == 503 and ready.headers["Retry-After"].isdigit()
        assert "postgres" in ready.json()["failing"]
        # one warning line per refused request, naming the dependency (a 500 would have raised)
        assert [(level, event, f["dependency"]) for level, event, f in log.lines] == [
            ("warning", "dependency.unavailable", "postgresql")
        ] * 2

        await proxy.open()  # PostgreSQL is back on the same address

        async def healthy() -> bool:
            r = await registry.get("/stations", headers=admin)
            return r.status_code == 200 and (await registry.get("/readyz")).status_code == 200

        await eventually(healthy, timeout=30)


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (ConnectionRefusedError(111, "refused"), "postgresql"),
        (TimeoutError(), "postgresql"),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle"), "postgresql"),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), "postgresql"),
        (
            asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
            "postgresql",
        ),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), "postgresql"),
        (asyncpg.InterfaceError("connection is closed"), "postgresql"),
        (nats.errors.ConnectionClosedError(), "nats"),
        (nats.errors.NoServersError(), "nats"),
        (nats.errors.TimeoutError(), "nats"),
        (nats.js.errors.ServiceUnavailableError(), "nats"),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            None,
        ),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), None),
        (ValueError("a bug"), None),
    ],
)
def test_an_outage_is_told_from_a_bug(error, dependency):
    assert outages.dependency_of(error) == dependency


async def test_nats_out_of_reach_makes_readyz_503_and_reads_still_answer(database_url, tmp_path):
    from shegong_runtime.embedded import EmbeddedNats

    server = EmbeddedNats(tmp_path / "nats").start()
    admin = bearer(settings_for(database_url, server.url, "registry"), "city_admin")
    try:
        async with service_client(service, database_url, server.url) as registry:
            await eventually(lambda: _status(registry.get("/readyz"), 200), timeout=30)
            server.stop()  # NATS goes away

            async def not_ready() -> bool:
                r = await registry.get("/readyz")
                return (
                    r.status_code == 503
                    and "nats" in r.json()["failing"]
                    and r.headers["Retry-After"].isdigit()
                )

            await eventually(not_ready, timeout=30)
            assert (await registry.get("/stations", headers=admin)).status_code == 200

            server = EmbeddedNats(tmp_path / "nats", port=server.port).start()  # back
            await eventually(lambda: _status(registry.get("/readyz"), 200), timeout=60)
    finally:
        server.stop()


async def _status(request, status: int) -> bool:
    return (await request).status_code == status

"""The services the workbench calls, in-process, with the source week loaded by their own demo
loaders; the workbench itself over real HTTP (a browser needs a port), its calls to them
carried by in-process transports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from shegong_runtime import catalogue
from shegong_runtime.demo import DemoClient, admin_token
from shegong_runtime.settings import Settings
from shegong_testing.browser import free_port
from shegong_testing.fixtures import eventually
from shegong_testing.http import AppClient, every, service_client, settings_for
from shegong_workbench.bootstrap import service as workbench

WRITERS = ("registry", "visits", "engagement")
STATION = "chengguan-qingbaishi"


class QuietServer(uvicorn.Server):
    """uvicorn inside the test's event loop, leaving pytest's signal handlers alone."""

    def install_signal_handlers(self) -> None:
        return None

    def capture_signals(self):
        from contextlib import nullcontext

        return nullcontext()


@dataclass
class Stack:
    url: str  # the workbench, over real HTTP
    clients: dict[str, AppClient]  # the services, in-process
    settings: Settings
    app: object
    port: int
    board_url: str  # the stations service's dashboard, over real HTTP


async def caught_up(visits: httpx.AsyncClient, settings: Settings) -> None:
    """The visits read model holds the demo week of 青白石: its three households, each with a
    timeline as long as its history, so tests count from a settled start."""
    headers = {"Authorization": f"Bearer {admin_token(settings)}"}

    async def settled() -> bool:
        listed = await every(visits, "/households", {"station_id": STATION}, headers=headers)
        if len(listed) < 3:
            return False
        for h in listed:
            hid = h["household_id"]
            version = (await visits.get(f"/households/{hid}", headers=headers)).json()["version"]
            if (
                len(await every(visits, f"/households/{hid}/timeline", None, headers=headers))
                != version
            ):
                return False
        return True

    await eventually(settled, timeout=60, interval=0.3)


@asynccontextmanager
async def stack_running(database_url: str, nats_url: str) -> AsyncIterator[Stack]:
    async with AsyncExitStack() as stack:
        clients: dict[str, AppClient] = {}
        for name in (*WRITERS, "stations"):
            clients[name] = await stack.enter_async_context(
                service_client(catalogue.service(name), database_url, nats_url)
            )
        transports = {n: httpx.ASGITransport(app=c.app) for n, c in clients.items()}
        settings = settings_for(database_url, nats_url, "workbench")
        app = workbench.app(settings, transports)
        port = free_port()
        server = QuietServer(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        # the stations board on a port too (its lifespan already runs in-process), for screenshots
        board_port = free_port()
        board = QuietServer(
            uvicorn.Config(
                clients["stations"].app,
                host="127.0.0.1",
                port=board_port,
                log_level="warning",
                lifespan="off",
            )
        )
        board_task = asyncio.create_task(board.serve())
        await eventually(lambda: server.started and board.started)
        try:
            demo = DemoClient(
                urls={"workbench": f"http://127.0.0.1:{port}"},
                token=admin_token(settings),
                transports=transports,
            )
            loaders = dict(catalogue.demo_loaders())
            for name in (*WRITERS, "workbench"):
                await loaders[name](demo)
            await caught_up(clients["visits"], settings)
            yield Stack(
                f"http://127.0.0.1:{port}",
                clients,
                settings,
                app,
                port,
                f"http://127.0.0.1:{board_port}",
            )
        finally:
            server.should_exit = board.should_exit = True
            await asyncio.gather(task, board_task)

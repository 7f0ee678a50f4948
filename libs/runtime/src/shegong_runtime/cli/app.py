"""The `shegong` command group and what its commands share."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from shegong_runtime.settings import Settings

if TYPE_CHECKING:
    from nats.js import JetStreamContext


@click.group()
def main() -> None:
    """Shegong (社工): event-sourced services for social work stations."""


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)` until SIGINT or SIGTERM, then let it finish the batch in hand."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())


def run_once(coro_fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run one async tool; its expected refusals become a clean error message and exit code 1."""
    from shegong_runtime.ops.projections import UnknownProjection
    from shegong_runtime.ops.replay import BadSelection
    from shegong_runtime.pgtools import NoTool

    try:
        asyncio.run(coro_fn())
    except (BadSelection, UnknownProjection, NoTool, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601; without an offset it is local time."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time", param_hint="--since"
        ) from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def with_jetstream(name: str, work: Callable[[JetStreamContext], Awaitable[None]]) -> None:
    from shegong_runtime import connections

    async def go() -> None:
        nc = await connections.open_bus(Settings(service=name), name)
        try:
            await work(nc.jetstream())
        finally:
            await nc.drain()

    run_once(go)

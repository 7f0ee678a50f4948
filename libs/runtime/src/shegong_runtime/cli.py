"""The `shegong` command: run the stack, single parts, and the operators' and integrators' tools."""

from __future__ import annotations

import asyncio
import signal

import click

from shegong_runtime import logging
from shegong_runtime.settings import Settings


def run_until_signal(main) -> None:  # type: ignore[no-untyped-def]
    """Run `main(stop)` until SIGINT or SIGTERM, then let it finish the batch in hand."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())


@click.group()
def main() -> None:
    """Shegong (社工): event-sourced services for social work stations."""


@main.command()
@click.option("--schema", required=True, help="the service's event store schema")
@click.option("--domain", required=True, help="the domain whose stream the relay feeds")
def relay(schema: str, domain: str) -> None:
    """Run one service's outbox relay as its own process (single active by advisory lock)."""
    from shegong_runtime import bus, connections
    from shegong_runtime.eventstore import EventStore
    from shegong_runtime.relay import Relay

    settings = Settings(service=f"relay-{domain}")
    logging.configure(settings.log_level, settings.log_json)

    async def go(stop: asyncio.Event) -> None:
        pool = await connections.open_pool(settings)
        nc = await connections.open_bus(settings, f"relay-{domain}")
        store = EventStore(pool, schema)
        await store.migrate()
        await bus.ensure_domain_streams(nc.jetstream(), [domain], settings)
        try:
            await Relay(store, nc, domain, settings).run(stop)
        finally:
            await nc.drain()
            await pool.close()

    run_until_signal(go)


@main.command()
@click.argument("projection")
@click.option("--name", default=None, help="run under another name (tests, side-by-side trials)")
def project(projection: str, name: str | None) -> None:
    """Run one projection (`module:Class`) as its own process."""
    from shegong_runtime import bus, connections
    from shegong_runtime.projection import ProjectionRunner

    settings = Settings(service=f"projection-{projection}")
    logging.configure(settings.log_level, settings.log_json)
    cls = connections.load_object(projection)
    proj = cls(name) if name else cls()

    async def go(stop: asyncio.Event) -> None:
        pool = await connections.open_pool(settings)
        nc = await connections.open_bus(settings, f"projection-{proj.name}")
        await bus.ensure_domain_streams(nc.jetstream(), list(proj.domains), settings)
        try:
            await ProjectionRunner(proj, pool, nc, settings).run(stop)
        finally:
            await nc.drain()
            await pool.close()

    run_until_signal(go)


if __name__ == "__main__":
    main()

"""The `shegong` command: run the stack, single parts, and the operators' and integrators' tools."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import click

from shegong_runtime import auth, logging
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
@click.option("--demo/--no-demo", default=True, help="load the demo week (idempotent)")
@click.option("--only", multiple=True, help="start only these services")
def up(demo: bool, only: tuple[str, ...]) -> None:
    """Start NATS, PostgreSQL and every service, load the demo week; Ctrl-C stops it all."""
    from shegong_runtime.stack import Stack, load_demo

    settings = Settings(service="stack")
    stack = Stack(settings, Path(settings.state_dir).resolve())
    stop_requested = False

    def request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start_servers()
        click.echo(f"NATS        {stack.nats_url}")
        click.echo(f"PostgreSQL  {stack.database_url}")
        stack.start_services(list(only) or None)
        stack.wait_ready()
        for name, url in stack.urls.items():
            click.echo(f"{name:<12}{url}  (docs {url}/docs, ready {url}/readyz)")
        if demo:
            loaded = load_demo(stack)
            click.echo(f"demo week loaded: {', '.join(loaded) or 'nothing to load'}")
        token = auth.issue(settings, "demo-admin", auth.Role.city_admin)
        click.echo(f"token (city_admin, 12 h): {token}")
        click.echo("ready; Ctrl-C stops everything")
        import time

        while not stop_requested:
            for name, proc in stack.procs.items():
                if proc.poll() is not None:
                    raise click.ClickException(f"service {name} exited (code {proc.returncode})")
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("stopping")
        stack.stop()


@main.command()
@click.argument("name")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
def serve(name: str, host: str | None, port: int | None) -> None:
    """Run one service (HTTP API, relay, consumers) as its own process."""
    import uvicorn

    from shegong_runtime import catalogue

    settings = Settings(service=name)
    service = catalogue.service(name)
    uvicorn.run(
        service.app(settings),
        host=host or settings.http_host,
        port=port or settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )


@main.command()
@click.option("--role", type=click.Choice([r.value for r in auth.Role]), default="city_admin")
@click.option("--station", "stations", multiple=True, help="a station in scope (repeatable)")
@click.option("--district", default=None, help="the district in scope (district_officer)")
@click.option("--subject", default="cli-user")
@click.option("--hours", type=int, default=12)
def token(role: str, stations: tuple[str, ...], district: str | None, subject: str, hours: int) -> None:
    """Print a bearer token for the HTTP APIs."""
    click.echo(auth.issue(Settings(), subject, role, stations, district, ttl_s=hours * 3600))


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

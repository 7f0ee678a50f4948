"""Running the system: the whole stack (`up`), one service, a relay, a projection."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from urllib.parse import quote

import click

from shegong_runtime import logging
from shegong_runtime.cli.app import main, run_until_signal
from shegong_runtime.settings import Settings


@main.command()
@click.option("--demo/--no-demo", default=True, help="load the demo week (idempotent)")
@click.option("--only", multiple=True, help="start only these services")
@click.option(
    "--replicas", multiple=True, metavar="NAME=N", help="run N replicas of a service (repeatable)"
)
@click.option(
    "--cluster",
    "cluster_size",
    type=click.IntRange(1, 5),
    default=1,
    help="NATS nodes (3: a JetStream cluster)",
)
def up(demo: bool, only: tuple[str, ...], replicas: tuple[str, ...], cluster_size: int) -> None:
    """Start NATS, PostgreSQL and every service, load the demo week; Ctrl-C stops it all.

    A service that dies is restarted with backoff while the rest keeps running."""
    from shegong_runtime.stack import Stack, load_demo

    settings = Settings(service="stack")
    counts = {}
    for item in replicas:
        name, _, n = item.partition("=")
        if not n.isdigit() or int(n) < 1:
            raise click.BadParameter(
                f"{item!r}: expected NAME=N with N >= 1", param_hint="--replicas"
            )
        counts[name] = int(n)
    stack = Stack(settings, Path(settings.state_dir).resolve(), cluster_size=cluster_size)
    stack.supervisor.say = click.echo
    stop_requested = False

    def request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    # Ctrl-C (SIGINT) stops it even when it was started where SIGINT is ignored (a background
    # job of a script, or a process started by one): those inherit the ignoring disposition
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if taken := stack.ports_taken(list(only) or None, counts):
        raise click.ClickException("; ".join(taken) + ": stop what uses it, or choose other ports")
    try:
        stack.start_servers()
        click.echo(f"NATS        {stack.nats_url}")
        click.echo(f"PostgreSQL  {stack.database_url}")
        stack.start_services(list(only) or None, counts)
        stack.wait_ready()
        for name, url in stack.urls.items():
            click.echo(f"{name:<15}{url}  (docs {url}/docs, ready {url}/readyz)")
        if demo:
            loaded = load_demo(stack)
            click.echo(f"demo week loaded: {', '.join(loaded) or 'nothing to load'}")
        for line in sign_in_lines(stack.urls, demo):
            click.echo(line)
        click.echo(
            f"tools       uv run shegong status  (after `set -a; . {stack.state}/nats/operator.env; set +a`)"
        )
        click.echo("ready; Ctrl-C stops everything")
        import time

        while not stop_requested:
            stack.supervisor.watch()  # a crashed service is restarted; the rest keeps running
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
    from shegong_runtime.settings import for_service

    settings = for_service(name)
    service = catalogue.service(name)
    uvicorn.run(
        service.app(settings),
        host=host or settings.http_host,
        port=port or settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )


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
        async with connections.opened(settings, f"relay-{domain}") as (pool, nc):
            store = EventStore(pool, schema)
            await store.migrate()
            await bus.ensure_domain_streams(nc.jetstream(), [domain], settings, owned=[domain])
            await Relay(store, nc, domain, settings).run(stop)

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
        async with connections.opened(settings, f"projection-{proj.name}") as (pool, nc):
            await bus.ensure_domain_streams(nc.jetstream(), list(proj.domains), settings, owned=())
            await ProjectionRunner(proj, pool, nc, settings).run(stop)

    run_until_signal(go)


def sign_in_lines(urls: dict[str, str], demo: bool) -> list[str]:
    """Where people sign in: the workbench, and through it the dashboard and the roundup.

    No token in any of them: an address ends up in browser history, logs and Referer headers,
    and the dashboard refuses `?token=`."""
    lines = []
    if bench := urls.get("workbench"):
        if demo:
            lines.append(
                f"workbench      sign in at {bench}/signin as qingbaishi-sg (社工), qingbaishi-zz (站长), chengguan-mz (区民政局) or city-admin, password shegong-demo"
            )
        if "stations" in urls:
            lines.append(f"dashboard   {bench}/signin?next=/dashboard")
            roundup = quote("/dashboard/roundup?start=2024-03-16&end=2024-03-22", safe="/")
            lines.append(f"roundup     {bench}/signin?next={roundup}  (一周掠影, the demo week)")
    lines.append("token       uv run shegong token --role city_admin  (JSON APIs, bearer header)")
    return lines

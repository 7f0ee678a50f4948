"""Recovery: reconcile a service's store with its stream; back up and restore a service."""

from __future__ import annotations

import json

import click

from shegong_runtime.cli.app import main, run_once


@main.command()
@click.argument("service_name", metavar="SERVICE")
@click.option("--full", is_flag=True, help="compare the whole stream, not only past the relay")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def reconcile(service_name: str, full: bool, as_json: bool) -> None:
    """Give SERVICE's event store back what its domain stream holds (a service does this at
    every start); a fork (one version, two events) is reported and exits 1."""
    from shegong_runtime import catalogue, connections, crypto
    from shegong_runtime import reconcile as rec
    from shegong_runtime.eventstore import EventStore
    from shegong_runtime.settings import for_service

    service = catalogue.service(service_name)
    if not service.domain:
        raise click.ClickException(f"{service_name} keeps no event store")
    settings = for_service(service_name)

    async def go() -> None:
        async with connections.opened(settings, f"reconcile-{service_name}", max_size=2) as (
            pool,
            nc,
        ):
            store = EventStore(pool, service.name)
            await store.migrate()
            keys = crypto.KeyStore(pool, service.name, settings.master_key)
            await keys.migrate()
            try:
                done = await rec.reconcile(
                    store, nc.jetstream(), service.domain, keys, service.erasures, full=full
                )
            except rec.StoreForked as exc:
                raise click.ClickException(str(exc)) from None
        found = {k: v for k, v in done.__dict__.items() if k != "imported_ids"}
        if as_json:
            click.echo(json.dumps(found))
        else:
            for key, value in found.items():
                click.echo(f"{key:<18}{value}")

    run_once(go)


def _chosen(names: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(service, domain) of the named services, or of every installed one."""
    from shegong_runtime import catalogue

    installed = catalogue.services()
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise click.ClickException(
            f"no service {', '.join(unknown)} (have: {', '.join(installed)})"
        )
    return [(n, installed[n].load().domain) for n in (names or tuple(installed))]


@main.command()
@click.argument("services", nargs=-1, metavar="[SERVICE]...")
@click.option("--to", "to", required=True, type=click.Path(file_okay=False), help="a new folder")
def backup(services: tuple[str, ...], to: str) -> None:
    """pg_dump of each service's schemas, then a snapshot of its streams, and a manifest
    (times, stream sequences, store heads, checksums; never key material). All services
    when none is named."""
    from pathlib import Path

    from shegong_runtime import connections
    from shegong_runtime.ops import backup as ops
    from shegong_runtime.settings import Settings

    settings = Settings(service="backup")
    chosen = _chosen(services)

    async def go() -> None:
        nc = await connections.open_bus(settings, "backup")
        try:
            manifest = await ops.backup(settings, chosen, Path(to), nc)
        finally:
            await nc.drain()
        for name, entry in manifest["services"].items():
            click.echo(
                f"{name:<15}{entry['file']}  {entry.get('store', {}).get('events', '-')} events"
            )
        for stream, entry in manifest["streams"].items():
            click.echo(f"{stream:<15}{entry['file']}  to sequence {entry['last_seq']}")
        click.echo(f"manifest       {Path(to) / ops.MANIFEST}")

    run_once(go)


@main.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.argument("services", nargs=-1, metavar="[SERVICE]...")
@click.option(
    "--streams", is_flag=True, help="also restore streams missing or behind their snapshot"
)
@click.option("--verify", is_flag=True, help="only restore into a scratch database and compare")
def restore(source: str, services: tuple[str, ...], streams: bool, verify: bool) -> None:
    """Restore a backup (stop the services first; they reconcile with their streams when they
    start). `--verify` changes nothing: it restores into a scratch database and compares."""
    from pathlib import Path

    from shegong_runtime import connections
    from shegong_runtime.ops import backup as ops
    from shegong_runtime.settings import Settings

    settings = Settings(service="restore")

    async def go() -> None:
        if verify:
            wrong = await ops.verify(settings, Path(source))
            if wrong:
                raise click.ClickException("; ".join(wrong))
            click.echo("verified: every store restored as the manifest says")
            return
        nc = await connections.open_bus(settings, "restore")
        try:
            for line in await ops.restore(settings, Path(source), list(services), nc, streams):
                click.echo(line)
        finally:
            await nc.drain()

    run_once(go)

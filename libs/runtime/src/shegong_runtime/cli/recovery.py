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

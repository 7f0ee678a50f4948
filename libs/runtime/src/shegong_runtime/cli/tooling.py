"""Tokens, contracts, the demo week and master keys."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import click

from shegong_runtime import auth
from shegong_runtime.cli.app import main, run_once
from shegong_runtime.settings import Settings


@main.command()
@click.option("--role", type=click.Choice([r.value for r in auth.Role]), default="city_admin")
@click.option("--station", "stations", multiple=True, help="a station in scope (repeatable)")
@click.option("--district", default=None, help="the district in scope (district_officer)")
@click.option("--subject", default="cli-user")
@click.option("--hours", type=int, default=12)
def token(
    role: str, stations: tuple[str, ...], district: str | None, subject: str, hours: int
) -> None:
    """Print a bearer token for the HTTP APIs."""
    click.echo(auth.issue(Settings(), subject, role, stations, district, ttl_s=hours * 3600))


@main.command()
@click.option("--check", is_flag=True, help="write nothing; exit 1 when the committed files drift")
def contracts(check: bool) -> None:
    """Write each service's AsyncAPI document and docs/event-catalogue.md from the contracts."""
    from shegong_runtime.ops import contracts as asyncapi
    from shegong_runtime.ops import eventdocs

    if check:
        drifted = [
            name
            for name, text in asyncapi.render_all().items()
            if not (asyncapi.DEFAULT_DIR / name).exists()
            or (asyncapi.DEFAULT_DIR / name).read_text(encoding="utf-8") != text
        ]
        if eventdocs.TARGET.read_text(encoding="utf-8") != eventdocs.render():
            drifted.append(str(eventdocs.TARGET))
        if drifted:
            raise click.ClickException(
                f"contracts drifted: {', '.join(drifted)} (run `shegong contracts`)"
            )
        click.echo("contracts up to date")
        return
    for path in asyncapi.write():
        click.echo(path)
    click.echo(eventdocs.write())
    typescript = asyncapi.DEFAULT_DIR.parent / "typescript" / "generate.cjs"
    if (
        shutil.which("node")
        and (typescript.parents[2] / "node_modules" / "json-schema-to-typescript").exists()
    ):
        subprocess.run(["node", str(typescript)], check=True)  # the TypeScript types of the schemas
        click.echo(typescript.parent)
    else:
        click.echo(
            "TypeScript types not regenerated: run `npm ci`, then `node contracts/typescript/generate.cjs`"
        )


@main.command()
@click.option(
    "--url", "urls", multiple=True, metavar="NAME=URL", help="a service's base URL (repeatable)"
)
def demo(urls: tuple[str, ...]) -> None:
    """Load the demo week through running services' HTTP APIs (idempotent)."""
    from shegong_runtime import catalogue
    from shegong_runtime import demo as demo_week

    given = dict(u.split("=", 1) for u in urls)
    known = given or {
        name: f"http://127.0.0.1:{catalogue.port_of(name)}" for name in catalogue.ORDER
    }
    loaded = asyncio.run(demo_week.load_week(known, Settings(service="demo")))
    click.echo(f"demo week loaded: {', '.join(loaded) or 'nothing to load'}")


@main.group()
def keys() -> None:
    """Master keys of the services' personal-data key stores."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a fresh master key (base64 of 32 random bytes)."""
    from shegong_runtime.ops import keys as ops

    click.echo(ops.generate())


@keys.command("rotate-master")
@click.option(
    "--service", "names", multiple=True, help="only these services (default: every write service)"
)
@click.option(
    "--old-key",
    envvar="SHEGONG_OLD_MASTER_KEY",
    prompt=True,
    hide_input=True,
    help="or SHEGONG_OLD_MASTER_KEY",
)
@click.option(
    "--new-key",
    envvar="SHEGONG_NEW_MASTER_KEY",
    prompt=True,
    hide_input=True,
    help="or SHEGONG_NEW_MASTER_KEY",
)
def keys_rotate(names: tuple[str, ...], old_key: str, new_key: str) -> None:
    """Re-wrap every data key under a new master key (stop the service first, start it with the new key)."""
    import asyncpg

    from shegong_runtime import catalogue, connections
    from shegong_runtime.ops import keys as ops

    settings = Settings(service="keys")
    services = {name: ep.load() for name, ep in catalogue.services().items()}
    chosen = list(names) or [n for n, s in services.items() if s.domain]
    unknown = [n for n in chosen if n not in services or not services[n].domain]
    if unknown:
        raise click.UsageError(f"no key store in: {', '.join(unknown)}")

    async def go() -> None:
        pool = await connections.open_pool(settings, max_size=2)
        try:
            for name in chosen:
                try:
                    done = await ops.rotate(pool, name, old_key, new_key)
                except asyncpg.UndefinedTableError:
                    click.echo(f"{name}: no key store yet")
                    continue
                click.echo(
                    f"{name}: {done.rewrapped} data key(s) re-wrapped, {done.already_new} already under the new key"
                )
        finally:
            await pool.close()

    run_once(go)

"""The `shegong` command: run the stack, single parts, and the operators' and integrators' tools."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
from datetime import datetime
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
@click.option("--replicas", multiple=True, metavar="NAME=N", help="run N replicas of a service (repeatable)")
@click.option("--cluster", "cluster_size", type=click.IntRange(1, 5), default=1, help="NATS nodes (3: a JetStream cluster)")
def up(demo: bool, only: tuple[str, ...], replicas: tuple[str, ...], cluster_size: int) -> None:
    """Start NATS, PostgreSQL and every service, load the demo week; Ctrl-C stops it all.

    A service that dies is restarted with backoff while the rest keeps running."""
    from shegong_runtime.stack import Stack, load_demo

    settings = Settings(service="stack")
    counts = {}
    for item in replicas:
        name, _, n = item.partition("=")
        if not n.isdigit() or int(n) < 1:
            raise click.BadParameter(f"{item!r}: expected NAME=N with N >= 1", param_hint="--replicas")
        counts[name] = int(n)
    stack = Stack(settings, Path(settings.state_dir).resolve(), cluster_size=cluster_size)
    stack.supervisor.say = click.echo
    stop_requested = False

    def request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
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
        if demo and "workbench" in stack.urls:
            click.echo(f"workbench      sign in at {stack.urls['workbench']}/signin as qingbaishi-sg (社工), qingbaishi-zz (站长), chengguan-mz (区民政局) or city-admin, password shegong-demo")
        token = auth.issue(settings, "demo-admin", auth.Role.city_admin)
        click.echo(f"token (city_admin, 12 h): {token}")
        if board := stack.urls.get("stations"):
            click.echo(f"dashboard   {board}/dashboard?token={token}")
            click.echo(f"roundup     {board}/dashboard/roundup?start=2024-03-16&end=2024-03-22&token={token}  (一周掠影, the demo week)")
        click.echo(f"tools       uv run shegong status  (after `set -a; . {stack.state}/nats/operator.env; set +a`)")
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



# operators' and integrators' tools (logic in shegong_runtime.ops; these commands only wire it)


def run_once(coro_fn) -> None:  # type: ignore[no-untyped-def]
    """Run one async tool; its expected refusals become a clean error message and exit code 1."""
    from shegong_runtime.ops.projections import UnknownProjection
    from shegong_runtime.ops.replay import BadSelection

    try:
        asyncio.run(coro_fn())
    except (BadSelection, UnknownProjection, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601; without an offset it is local time."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--since") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


@main.command()
@click.option("--domain", "domains", multiple=True, help="registry, visits, engagement, notifications (repeatable)")
@click.option("--station", "stations", multiple=True, help="a station id (repeatable)")
@click.option("--type", "event_types", multiple=True, help="an event type, e.g. VisitRecorded (repeatable)")
@click.option("--aggregate", "aggregates", multiple=True, help="an aggregate id (repeatable)")
@click.option("--from-seq", type=click.IntRange(min=1), default=None, help="start at this stream sequence (one domain)")
@click.option("--since", default=None, help="start at this time the stream stored (ISO 8601)")
@click.option("-o", "--output", default="-", type=click.Path(dir_okay=False, allow_dash=True), help="JSON Lines file (default stdout)")
@click.option("--republish", "prefix", default=None, help="publish again under this subject prefix instead")
@click.option("--follow", is_flag=True, help="keep waiting for new events (one domain)")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr (default: unless writing to stdout)")
@click.option("--strict", is_flag=True, help="fail on a message that does not decode instead of skipping it")
def replay(
    domains: tuple[str, ...],
    stations: tuple[str, ...],
    event_types: tuple[str, ...],
    aggregates: tuple[str, ...],
    from_seq: int | None,
    since: str | None,
    output: str,
    prefix: str | None,
    follow: bool,
    progress: bool | None,
    strict: bool,
) -> None:
    """Replay event history from JetStream, upcast to the latest versions, as JSON Lines."""
    from tqdm import tqdm

    from shegong_runtime import connections
    from shegong_runtime.ops import replay as ops

    settings = Settings(service="replay")
    if from_seq is not None and since is not None:
        raise click.UsageError("choose --from-seq or --since, not both")
    selection = ops.Selection(domains, stations, event_types, aggregates)
    start = ops.Start(seq=from_seq, time=parse_time(since))

    async def go() -> None:
        nc = await connections.open_bus(settings, "replay")
        try:
            run = ops.Replay(nc.jetstream(), selection, start)
            kept_in = await ops.check_target(nc.jetstream(), prefix, selection.plan()) if prefix else None
            total = await run.open()
            show = progress if progress is not None else (prefix is not None or output != "-")
            with tqdm(total=total, unit="ev", disable=not show, file=sys.stderr, dynamic_ncols=True) as bar:
                try:
                    if prefix:
                        await ops.republish(nc, run, prefix, kept_in, bar.update, follow)
                    else:
                        with click.open_file(output, "w", encoding="utf-8") as out:
                            await ops.export(run, out, bar.update, follow)
                finally:
                    await run.close()
            report = run.report
            for line in report.skipped:
                click.echo(f"skipped {line}", err=True)
            for stream in report.missing_streams:
                click.echo(f"no stream {stream} yet: nothing to replay there", err=True)
            if strict and report.skipped:
                raise click.ClickException(f"{len(report.skipped)} message(s) did not decode")
            where = f"under {prefix}.>" if prefix else ("to stdout" if output == "-" else f"to {output}")
            click.echo(f"replayed {report.delivered} event(s) {where}", err=True)
        finally:
            await nc.drain()

    run_once(go)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def status(as_json: bool) -> None:
    """Streams, consumers and their lag, relays against their event stores, dead letters."""
    from shegong_runtime import connections
    from shegong_runtime.ops import render
    from shegong_runtime.ops import status as ops

    settings = Settings(service="status")

    async def go() -> None:
        async with connections.opened(settings, "status", max_size=2) as (pool, nc):
            found = await ops.gather(nc.jetstream(), pool)
        if as_json:
            click.echo(render.as_json(found))
            return
        click.echo(render.table(
            ["stream", "messages", "bytes", "first", "last", "first stored", "last stored", "replicas", "consumers"],
            [[s.name, s.messages, s.bytes, s.first_seq, s.last_seq, s.first_ts, s.last_ts, s.replicas, s.consumers]
             for s in found.streams],
        ))
        click.echo()
        click.echo(render.table(
            ["stream", "consumer", "lag", "ack pending", "redelivered", "fetching"],
            [[c.stream, c.name, c.lag, c.ack_pending, c.redelivered, c.waiting] for c in found.consumers],
        ))
        click.echo()
        click.echo(render.table(
            ["service", "relay", "checkpoint", "head", "unrelayed", "stream seq", "active (pid)", "updated", "note"],
            [[r.service, r.relay, r.checkpoint, r.head, r.unrelayed, r.stream_seq, r.active_pid, r.updated_at, r.note]
             for r in found.relays],
        ))
        click.echo()
        dead = sum(d.dead for d in found.dead_letters)
        click.echo(f"dead letters: {dead}" + ("" if not dead else "  (shegong dlq list)"))
        if found.dead_letters:
            click.echo(render.table(
                ["projection", "dead", "re-driven"],
                [[d.projection, d.dead, d.redriven] for d in found.dead_letters],
            ))

    run_once(go)


@main.group()
def dlq() -> None:
    """Dead letters: events a projection could not apply, with the reason; re-drive them."""


def with_jetstream(name: str, work) -> None:  # type: ignore[no-untyped-def]
    from shegong_runtime import connections

    async def go() -> None:
        nc = await connections.open_bus(Settings(service=name), name)
        try:
            await work(nc.jetstream())
        finally:
            await nc.drain()

    run_once(go)


@dlq.command("list")
@click.option("--projection", default=None, help="only this projection's")
@click.option("--json", "as_json", is_flag=True)
def dlq_list(projection: str | None, as_json: bool) -> None:
    """Every dead letter: sequence, projection, origin, attempts, reason."""
    from shegong_runtime import deadletter
    from shegong_runtime.ops import render

    async def work(js) -> None:  # type: ignore[no-untyped-def]
        found = await deadletter.list_dead(js, projection)
        if as_json:
            click.echo(render.as_json([{**render_dead(d), "data": d.data} for d in found]))
            return
        click.echo(render.table(
            ["seq", "projection", "origin", "subject", "attempts", "reason"],
            [[d.seq, d.projection, f"{d.origin_stream}:{d.origin_seq}", d.origin_subject, d.attempts, d.reason[:80]]
             for d in found],
        ))

    with_jetstream("dlq", work)


def render_dead(d) -> dict:  # type: ignore[no-untyped-def]
    return {
        "seq": d.seq, "projection": d.projection, "reason": d.reason, "origin_stream": d.origin_stream,
        "origin_seq": d.origin_seq, "origin_subject": d.origin_subject, "attempts": d.attempts,
    }


@dlq.command("show")
@click.argument("seq", type=int)
def dlq_show(seq: int) -> None:
    """One dead letter in full, with the event it carries."""
    import json as jsonlib

    from shegong_runtime import deadletter

    async def work(js) -> None:  # type: ignore[no-untyped-def]
        d = await deadletter.show(js, seq)
        for key, value in render_dead(d).items():
            click.echo(f"{key:<15}{value}")
        try:
            body = jsonlib.dumps(jsonlib.loads(d.data), ensure_ascii=False, indent=2)
        except ValueError:
            body = d.data.decode(errors="replace")
        click.echo("event:")
        click.echo(body)

    with_jetstream("dlq", work)


@dlq.command("redrive")
@click.argument("seqs", type=int, nargs=-1)
@click.option("--all", "everything", is_flag=True, help="every dead letter (of --projection, if given)")
@click.option("--projection", default=None)
def dlq_redrive(seqs: tuple[int, ...], everything: bool, projection: str | None) -> None:
    """Send dead letters back to their projection, which applies them like a fresh delivery."""
    from shegong_runtime import deadletter

    if not seqs and not everything:
        raise click.UsageError("name the dead letters (SEQ...) or pass --all")

    async def work(js) -> None:  # type: ignore[no-untyped-def]
        chosen = list(seqs) or [d.seq for d in await deadletter.list_dead(js, projection)]
        for seq in chosen:
            d = await deadletter.redrive(js, seq)
            click.echo(f"re-drove {seq} to {d.projection} ({d.origin_subject})")

    with_jetstream("dlq", work)


@main.group()
def projections() -> None:
    """Read models of the installed services: where they stand; rebuild one."""


@projections.command("status")
@click.option("--json", "as_json", is_flag=True)
def projections_status(as_json: bool) -> None:
    """Live generation, checkpoint against the stream, lag and dead events of each projection."""
    from shegong_runtime import connections
    from shegong_runtime.ops import projections as ops
    from shegong_runtime.ops import render

    settings = Settings(service="projections")

    async def go() -> None:
        async with connections.opened(settings, "projections", max_size=2) as (pool, nc):
            found = await ops.status(pool, nc.jetstream())
        if as_json:
            click.echo(render.as_json(found))
            return
        rows = []
        for p in found:
            for s in p.sources or [None]:
                rows.append([p.name, p.service, p.generation, p.dead,
                             s.unit if s else "-", s.checkpoint if s else "-",
                             s.stream_last if s else "-", s.lag if s else "-", s.ack_pending if s else "-"])
        click.echo(render.table(
            ["projection", "service", "generation", "dead", "unit", "checkpoint", "last", "lag", "ack pending"],
            rows,
        ))

    run_once(go)


@projections.command("rebuild")
@click.argument("name")
def projections_rebuild(name: str) -> None:
    """Replay history into the next generation beside the live one, then swap it in."""
    from shegong_runtime import connections
    from shegong_runtime.ops import projections as ops

    settings = Settings(service=f"rebuild-{name}")
    logging.configure(settings.log_level, settings.log_json)
    try:
        ops.find(name)  # fail before connecting
    except ops.UnknownProjection as exc:
        raise click.ClickException(str(exc)) from None

    async def go() -> None:
        async with connections.opened(settings, f"rebuild-{name}") as (pool, nc):
            generation = await ops.rebuild(name, pool, nc, settings)
        click.echo(f"{name}: generation {generation} is live")

    run_once(go)


@main.command()
@click.option("--check", is_flag=True, help="write nothing; exit 1 when the committed files drift")
def contracts(check: bool) -> None:
    """Write each service's AsyncAPI document and docs/event-catalogue.md from the contracts."""
    from shegong_runtime.ops import contracts as asyncapi
    from shegong_runtime.ops import eventdocs

    if check:
        drifted = [name for name, text in asyncapi.render_all().items()
                   if not (asyncapi.DEFAULT_DIR / name).exists()
                   or (asyncapi.DEFAULT_DIR / name).read_text(encoding="utf-8") != text]
        if eventdocs.TARGET.read_text(encoding="utf-8") != eventdocs.render():
            drifted.append(str(eventdocs.TARGET))
        if drifted:
            raise click.ClickException(f"contracts drifted: {', '.join(drifted)} (run `shegong contracts`)")
        click.echo("contracts up to date")
        return
    for path in asyncapi.write():
        click.echo(path)
    click.echo(eventdocs.write())
    typescript = asyncapi.DEFAULT_DIR.parent / "typescript" / "generate.cjs"
    if shutil.which("node") and (typescript.parents[2] / "node_modules" / "json-schema-to-typescript").exists():
        subprocess.run(["node", str(typescript)], check=True)  # the TypeScript types of the schemas
        click.echo(typescript.parent)
    else:
        click.echo("TypeScript types not regenerated: run `npm ci`, then `node contracts/typescript/generate.cjs`")


@main.command()
@click.option("--url", "urls", multiple=True, metavar="NAME=URL", help="a service's base URL (repeatable)")
def demo(urls: tuple[str, ...]) -> None:
    """Load the demo week through running services' HTTP APIs (idempotent)."""
    from shegong_runtime import catalogue
    from shegong_runtime import demo as demo_week

    given = dict(u.split("=", 1) for u in urls)
    known = given or {name: f"http://127.0.0.1:{port}" for name, port in catalogue.PORTS.items()}
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
@click.option("--service", "names", multiple=True, help="only these services (default: every write service)")
@click.option("--old-key", envvar="SHEGONG_OLD_MASTER_KEY", prompt=True, hide_input=True, help="or SHEGONG_OLD_MASTER_KEY")
@click.option("--new-key", envvar="SHEGONG_NEW_MASTER_KEY", prompt=True, hide_input=True, help="or SHEGONG_NEW_MASTER_KEY")
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
                click.echo(f"{name}: {done.rewrapped} data key(s) re-wrapped, {done.already_new} already under the new key")
        finally:
            await pool.close()

    run_once(go)


if __name__ == "__main__":
    main()

"""Operators' tools: status, dead letters, projections (logic in shegong_runtime.ops)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from shegong_runtime import logging
from shegong_runtime.cli.app import main, run_once, with_jetstream
from shegong_runtime.settings import Settings

if TYPE_CHECKING:  # imported where used, so the CLI starts fast
    from nats.js import JetStreamContext

    from shegong_runtime.deadletter import DeadLetter
    from shegong_runtime.ops.projections import SourceState


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
        click.echo(
            render.table(
                [
                    "stream",
                    "messages",
                    "bytes",
                    "first",
                    "last",
                    "first stored",
                    "last stored",
                    "replicas",
                    "consumers",
                ],
                [
                    [
                        s.name,
                        s.messages,
                        s.bytes,
                        s.first_seq,
                        s.last_seq,
                        s.first_ts,
                        s.last_ts,
                        s.replicas,
                        s.consumers,
                    ]
                    for s in found.streams
                ],
            )
        )
        click.echo()
        click.echo(
            render.table(
                ["stream", "consumer", "lag", "ack pending", "redelivered", "fetching"],
                [
                    [c.stream, c.name, c.lag, c.ack_pending, c.redelivered, c.waiting]
                    for c in found.consumers
                ],
            )
        )
        click.echo()
        click.echo(
            render.table(
                [
                    "service",
                    "relay",
                    "checkpoint",
                    "head",
                    "unrelayed",
                    "stream seq",
                    "active (pid)",
                    "updated",
                    "note",
                ],
                [
                    [
                        r.service,
                        r.relay,
                        r.checkpoint,
                        r.head,
                        r.unrelayed,
                        r.stream_seq,
                        r.active_pid,
                        r.updated_at,
                        r.note,
                    ]
                    for r in found.relays
                ],
            )
        )
        click.echo()
        dead = sum(d.dead for d in found.dead_letters)
        click.echo(f"dead letters: {dead}" + ("" if not dead else "  (shegong dlq list)"))
        if found.dead_letters:
            click.echo(
                render.table(
                    ["projection", "dead", "re-driven"],
                    [[d.projection, d.dead, d.redriven] for d in found.dead_letters],
                )
            )

    run_once(go)


@main.group()
def dlq() -> None:
    """Dead letters: events a projection could not apply, with the reason; re-drive them."""


@dlq.command("list")
@click.option("--projection", default=None, help="only this projection's")
@click.option("--json", "as_json", is_flag=True)
def dlq_list(projection: str | None, as_json: bool) -> None:
    """Every dead letter: sequence, projection, origin, attempts, reason."""
    from shegong_runtime import deadletter
    from shegong_runtime.ops import render

    async def work(js: JetStreamContext) -> None:
        found = await deadletter.list_dead(js, projection)
        if as_json:
            click.echo(render.as_json([{**render_dead(d), "data": d.data} for d in found]))
            return
        click.echo(
            render.table(
                ["seq", "projection", "origin", "subject", "attempts", "reason"],
                [
                    [
                        d.seq,
                        d.projection,
                        f"{d.origin_stream}:{d.origin_seq}",
                        d.origin_subject,
                        d.attempts,
                        d.reason[:80],
                    ]
                    for d in found
                ],
            )
        )

    with_jetstream("dlq", work)


def render_dead(d: DeadLetter) -> dict[str, object]:
    return {
        "seq": d.seq,
        "projection": d.projection,
        "reason": d.reason,
        "origin_stream": d.origin_stream,
        "origin_seq": d.origin_seq,
        "origin_subject": d.origin_subject,
        "attempts": d.attempts,
    }


@dlq.command("show")
@click.argument("seq", type=int)
def dlq_show(seq: int) -> None:
    """One dead letter in full, with the event it carries."""
    import json as jsonlib

    from shegong_runtime import deadletter

    async def work(js: JetStreamContext) -> None:
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
@click.option(
    "--all", "everything", is_flag=True, help="every dead letter (of --projection, if given)"
)
@click.option("--projection", default=None)
def dlq_redrive(seqs: tuple[int, ...], everything: bool, projection: str | None) -> None:
    """Send dead letters back to their projection, which applies them like a fresh delivery."""
    from shegong_runtime import deadletter

    if not seqs and not everything:
        raise click.UsageError("name the dead letters (SEQ...) or pass --all")

    async def work(js: JetStreamContext) -> None:
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
            sources: list[SourceState | None] = [*p.sources] or [None]
            for s in sources:
                rows.append(
                    [
                        p.name,
                        p.service,
                        p.generation,
                        p.dead,
                        s.unit if s else "-",
                        s.checkpoint if s else "-",
                        s.stream_last if s else "-",
                        s.lag if s else "-",
                        s.ack_pending if s else "-",
                    ]
                )
        click.echo(
            render.table(
                [
                    "projection",
                    "service",
                    "generation",
                    "dead",
                    "unit",
                    "checkpoint",
                    "last",
                    "lag",
                    "ack pending",
                ],
                rows,
            )
        )

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

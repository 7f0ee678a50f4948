"""`shegong replay`: the history of the streams as JSON Lines, or published again."""

from __future__ import annotations

import sys

import click

from shegong_runtime.cli.app import main, parse_time, run_once
from shegong_runtime.settings import Settings


@main.command()
@click.option(
    "--domain",
    "domains",
    multiple=True,
    help="registry, visits, engagement, notifications (repeatable)",
)
@click.option("--station", "stations", multiple=True, help="a station id (repeatable)")
@click.option(
    "--type", "event_types", multiple=True, help="an event type, e.g. VisitRecorded (repeatable)"
)
@click.option("--aggregate", "aggregates", multiple=True, help="an aggregate id (repeatable)")
@click.option(
    "--from-seq",
    type=click.IntRange(min=1),
    default=None,
    help="start at this stream sequence (one domain)",
)
@click.option("--since", default=None, help="start at this time the stream stored (ISO 8601)")
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSON Lines file (default stdout)",
)
@click.option(
    "--republish", "prefix", default=None, help="publish again under this subject prefix instead"
)
@click.option("--follow", is_flag=True, help="keep waiting for new events (one domain)")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="progress bar on stderr (default: unless writing to stdout)",
)
@click.option(
    "--strict", is_flag=True, help="fail on a message that does not decode instead of skipping it"
)
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
            kept_in = (
                await ops.check_target(nc.jetstream(), prefix, selection.plan()) if prefix else None
            )
            total = await run.open()
            show = progress if progress is not None else (prefix is not None or output != "-")
            with tqdm(
                total=total, unit="ev", disable=not show, file=sys.stderr, dynamic_ncols=True
            ) as bar:
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
            where = (
                f"under {prefix}.>"
                if prefix
                else ("to stdout" if output == "-" else f"to {output}")
            )
            click.echo(f"replayed {report.delivered} event(s) {where}", err=True)
        finally:
            await nc.drain()

    run_once(go)

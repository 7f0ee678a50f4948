"""A city's year on one machine: generate it, load it through every service, measure it.

    uv run python bench/history.py generate --stations 100 [--scale 1.0] [--seed 2024]
    uv run python bench/history.py load       # relays, streams, every projection, until caught up

Uses DATABASE_URL / NATS_URL (default: the machine's PostgreSQL and a local NATS). The year is
written into the services' own event stores (`cityyear`); `load` starts every service in this
process and waits until the read models hold all of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cityyear.generate import generate
from cityyear.load import load


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the year into the services' event stores")
    gen.add_argument("--stations", type=int, default=100)
    gen.add_argument("--scale", type=float, default=1.0, help="multiplies each station's counts")
    gen.add_argument("--seed", type=int, default=2024)
    gen.add_argument("--end", type=date.fromisoformat, default=None, help="the year's last day")
    sub.add_parser("load", help="run every service until its read models hold the year")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    nats_url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    if args.command == "generate":

        def progress(station, written) -> None:
            print(f"{station.station_id}: {sum(written.values()):,} events", file=sys.stderr)

        done = asyncio.run(
            generate(
                database_url, args.stations, args.scale, args.seed, args.end, progress=progress
            )
        )
        rate = done.total / done.seconds if done.seconds else 0
        print(
            f"generated {done.total:,} events for {done.stations} stations in {done.seconds:.1f} s ({rate:,.0f} ev/s): {done.events}"
        )
    else:

        def behind(total, parts) -> None:
            print(f"behind: {total:,} {dict(list(parts.items())[:6])}", file=sys.stderr)

        loaded = asyncio.run(load(database_url, nats_url, report=behind))
        print(f"loaded through every service in {loaded.seconds:.1f} s: {loaded.figures}")
        print(f"notifications: {loaded.notifications}")


if __name__ == "__main__":
    main()

"""The probe domain, for tests and benchmarks only: a tiny event and read model of the runtime.

It never reaches the published contracts; it exercises the same store, relay and projection
code paths the real domains use.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import Field
from shegong_events import CATALOG, DomainEvent, Envelope
from shegong_runtime.projection import Projection


@CATALOG.register
class ProbeRecorded(DomainEvent):
    """A counted tick on a probe aggregate."""

    event_type = "ProbeRecorded"
    schema_version = 1
    domain = "probe"
    aggregate_type = "probe"

    amount: int = Field(ge=0)
    note: str = ""


class ProbeTotals(Projection):
    """Sum and count per probe aggregate; fails on purpose for notes starting with 'poison'."""

    name = "probe_totals"
    domains = ("probe",)
    poison_prefix = "poison"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.name

    ddl = """
    CREATE TABLE IF NOT EXISTS {s}.totals (
        aggregate_id text PRIMARY KEY,
        station_id   text NOT NULL,
        events       integer NOT NULL,
        amount       bigint NOT NULL,
        last_version integer NOT NULL
    );
    """

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        await self.apply_batch(conn, s, [event])

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """Folds the batch in memory first: one upsert per aggregate, one round trip in all."""
        totals: dict[str, list[Any]] = {}
        for event in events:
            probe = CATALOG.decode(event)
            assert isinstance(probe, ProbeRecorded)
            if probe.note.startswith(self.poison_prefix):
                raise ValueError("probe poison: this event cannot be applied")
            row = totals.setdefault(event.aggregate_id, [event.station_id, 0, 0, 0])
            row[1] += 1
            row[2] += probe.amount
            row[3] = max(row[3], event.aggregate_version)
        ids = list(totals)
        cols = list(zip(*totals.values(), strict=True)) if totals else [(), (), (), ()]
        await conn.execute(
            f"""INSERT INTO {s}.totals AS t
                SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::int[])
                ON CONFLICT (aggregate_id) DO UPDATE SET events = t.events + EXCLUDED.events,
                    amount = t.amount + EXCLUDED.amount,
                    last_version = greatest(t.last_version, EXCLUDED.last_version)""",
            ids,
            *[list(c) for c in cols],
        )


def probe_event(
    aggregate_id: str, amount: int = 1, note: str = "", station_id: str = "probe-station"
) -> Envelope:
    return Envelope.wrap(
        ProbeRecorded(amount=amount, note=note),
        aggregate_id=aggregate_id,
        station_id=station_id,
        actor="probe",
    )


class ProbeOrder(Projection):
    """Records the order in which each probe aggregate's versions were applied."""

    name = "probe_order"
    domains = ("probe",)
    poison_prefix = "poison"
    ddl = """
    CREATE TABLE IF NOT EXISTS {s}.applied (
        aggregate_id text PRIMARY KEY,
        versions     integer[] NOT NULL
    );
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.name

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        probe = CATALOG.decode(event)
        assert isinstance(probe, ProbeRecorded)
        if probe.note.startswith(self.poison_prefix):
            raise ValueError("probe poison: this event cannot be applied")
        await conn.execute(
            f"INSERT INTO {s}.applied AS a VALUES ($1, ARRAY[$2::int]) "
            "ON CONFLICT (aggregate_id) DO UPDATE SET versions = a.versions || EXCLUDED.versions",
            event.aggregate_id,
            event.aggregate_version,
        )

"""Registers written in the same transaction as the events that need them.

Names in use among a station's active organisations and filing number counters cannot wait for
an eventually consistent read model: two filings of one name, or two approvals in one station,
may race. Unique indexes settle the race; the loser's transaction rolls back with its events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_events.registry import (
    OrgChanged,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
)
from shegong_runtime import migrations
from shegong_runtime.errors import Conflict
from shegong_runtime.service import Runtime

from shegong_registry.domain.organisation import OrgNameTaken, name_key

T = TypeVar("T")

SCHEMA = "registry"  # the service's own event store schema
DDL = """
CREATE TABLE IF NOT EXISTS {s}.org_names (
    station_id      text NOT NULL,
    name_key        text NOT NULL,
    organisation_id text NOT NULL UNIQUE,
    PRIMARY KEY (station_id, name_key)
);
CREATE TABLE IF NOT EXISTS {s}.filing_counters (
    station_id  text NOT NULL,
    year        integer NOT NULL,
    last        integer NOT NULL,
    PRIMARY KEY (station_id, year)
);
CREATE TABLE IF NOT EXISTS {s}.filing_numbers (
    filing_number   text PRIMARY KEY,
    organisation_id text NOT NULL UNIQUE
);
"""


class FilingNumberRaced(Conflict):
    """Another approval in the same station and year took this number first; try the next."""


class FilingNumbersBusy(Conflict):
    """Approvals in this station kept racing for the next filing number; try again."""


async def migrate(rt: Runtime) -> None:
    await migrations.apply(rt.pool, SCHEMA, DDL)


async def next_filing_sequence(pool: asyncpg.Pool, station_id: str, year: int) -> int:
    last = await pool.fetchval(
        f"SELECT last FROM {SCHEMA}.filing_counters WHERE station_id = $1 AND year = $2",
        station_id,
        year,
    )
    return (last or 0) + 1


async def numbering(
    pool: asyncpg.Pool,
    station_id: str,
    organisation_id: str,
    year: int,
    attempts: int,
    approve: Callable[[int], Awaitable[T]],
) -> T:
    """`approve(sequence)` with the station's next filing number of the year; a number another
    approval took first (FilingNumberRaced) is tried again with the next, `attempts` times."""
    for _ in range(attempts):
        try:
            return await approve(await next_filing_sequence(pool, station_id, year))
        except FilingNumberRaced:
            continue
    raise FilingNumbersBusy(f"同时审核的备案过多，未能为组织 {organisation_id} 编号，请重试")


def keeper(
    numbered: tuple[int, int] | None = None,
) -> Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]:
    """The `after_append` of every organisation command (`record`, with the approval's number)."""
    return lambda conn, envelopes: record(conn, envelopes, numbered)


def _new_name(event: object) -> str | None:
    match event:
        case OrgFiled() | OrgFilingResubmitted() | OrgChanged():
            return event.name
        case OrgConvertedToVolunteerTeam():
            return event.team_name
    return None


async def record(
    conn: asyncpg.Connection, envelopes: list[Envelope], numbered: tuple[int, int] | None = None
) -> None:
    """`after_append` for organisation commands: keep names and filing numbers in step.

    `numbered` is the (year, sequence) an approval's filing number was made from.
    """
    for envelope in envelopes:
        event = CATALOG.decode(envelope)
        org, station = envelope.aggregate_id, envelope.station_id
        if isinstance(event, OrgDeregistered):
            await conn.execute(f"DELETE FROM {SCHEMA}.org_names WHERE organisation_id = $1", org)
        elif (name := _new_name(event)) is not None:
            await _claim_name(conn, station, org, name)
        elif isinstance(event, OrgFilingApproved):
            assert numbered is not None, (
                "an approval carries the year and sequence it was numbered with"
            )
            await _claim_number(conn, station, org, event.filing_number, *numbered)


async def _claim_name(conn: asyncpg.Connection, station_id: str, org: str, name: str) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.org_names WHERE organisation_id = $1", org)
    claimed = await conn.fetchval(
        f"INSERT INTO {SCHEMA}.org_names (station_id, name_key, organisation_id) VALUES ($1, $2, $3) "
        "ON CONFLICT (station_id, name_key) DO NOTHING RETURNING 1",
        station_id,
        name_key(name),
        org,
    )
    if not claimed:
        raise OrgNameTaken(f"社工站 {station_id} 已有名为 {name!r} 的组织", field="name")


async def _claim_number(
    conn: asyncpg.Connection, station_id: str, org: str, number: str, year: int, sequence: int
) -> None:
    advanced = await conn.fetchval(
        f"INSERT INTO {SCHEMA}.filing_counters AS c (station_id, year, last) VALUES ($1, $2, $3) "
        "ON CONFLICT (station_id, year) DO UPDATE SET last = EXCLUDED.last WHERE c.last = EXCLUDED.last - 1 "
        "RETURNING last",
        station_id,
        year,
        sequence,
    )
    if advanced is None:
        raise FilingNumberRaced(f"备案号 {number} 已被同时进行的审核占用，请重试")
    await conn.execute(
        f"INSERT INTO {SCHEMA}.filing_numbers (filing_number, organisation_id) VALUES ($1, $2)",
        number,
        org,
    )

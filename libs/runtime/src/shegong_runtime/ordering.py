"""Per-aggregate order in a projection: an event applies only after its predecessor.

Partitions deliver an aggregate's events in stream order, so in steady state every event is
next in line. The stream can still hold a later version before an earlier one (a relay batch
that failed half-way is published again after its successors), and a gap in a domain stream is
never final: the relay publishes every version. Such an event is parked in the read model's own
schema, alarmed on, and applied the moment its predecessor is, never skipped on a timer. The
only gaps accepted are events this projection dead-lettered itself (recorded in `versions`)
and history an explicit `max_age` removed before an aggregate's first event we saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from shegong_events import Envelope

from shegong_runtime import logging

log = logging.get("projection")

DDL = """
CREATE TABLE IF NOT EXISTS {s}.versions (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.parked (
    stream_id text NOT NULL,
    version   integer NOT NULL,
    unit      text NOT NULL,
    envelope  text NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, version)
);
"""


@dataclass
class Admission:
    """A batch's turn: the new events to apply now, in order, and the versions they reach
    (recorded with the checkpoint, in the same transaction)."""

    admitted: list[Envelope] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)


def _admit_sql(s: str) -> str:
    """One round trip: mark the batch's ids processed (the new ones come back), lock the
    versions of its aggregates, read their parked successors. The unit's fence (or an
    exclusive run) keeps every other writer of these rows out until the transaction ends."""
    return f"""
        WITH fresh AS (
            INSERT INTO {s}.processed (event_id) SELECT unnest($1::uuid[])
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
        ), seen AS (
            SELECT stream_id, version FROM {s}.versions WHERE stream_id = any($2::text[])
            ORDER BY stream_id FOR UPDATE
        )
        SELECT 0 AS kind, event_id::text AS key, 0 AS version, NULL::text AS envelope FROM fresh
        UNION ALL SELECT 1, stream_id, version, NULL FROM seen
        UNION ALL SELECT 2, stream_id, version, envelope FROM {s}.parked WHERE stream_id = any($2::text[])
    """


async def admit(
    conn: asyncpg.Connection, s: str, unit: str, events: list[Envelope], history_trimmed: bool
) -> Admission:
    """The events to apply now, in order: each new batch event whose predecessor is applied,
    and after it any parked successors it releases. The rest are parked until their turn;
    events already processed are left out (exactly once in effect)."""
    keys = sorted({e.stream_id for e in events if e.aggregate_version > 0})
    fresh: set[str] = set()
    last: dict[str, int] = {}
    waiting: dict[tuple[str, int], str] = {}
    for r in await conn.fetch(_admit_sql(s), [e.event_id for e in events], keys):
        if r["kind"] == 0:
            fresh.add(r["key"])
        elif r["kind"] == 1:
            last[r["key"]] = r["version"]
        else:
            waiting[(r["key"], r["version"])] = r["envelope"]
    loaded = dict(last)
    admitted: list[Envelope] = []
    parked: list[Envelope] = []
    released: list[tuple[str, int]] = []
    for event in events:
        if str(event.event_id) not in fresh:
            continue
        version, sid = event.aggregate_version, event.stream_id
        seen = last.get(sid, 0)
        if version <= seen:  # unversioned, or a distinct event at a version passed (its id is new)
            admitted.append(event)
        elif version == seen + 1 or (seen == 0 and history_trimmed):
            admitted.append(event)
            last[sid] = version
            while (sid, last[sid] + 1) in waiting:  # successors that came first
                nxt = last[sid] + 1
                admitted.append(Envelope.model_validate_json(waiting.pop((sid, nxt))))
                released.append((sid, nxt))
                last[sid] = nxt
        else:
            parked.append(event)
            waiting[(sid, version)] = event.model_dump_json()
    if parked:
        await conn.executemany(
            f"INSERT INTO {s}.parked (stream_id, version, unit, envelope) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (stream_id, version) DO NOTHING",
            [(e.stream_id, e.aggregate_version, unit, e.model_dump_json()) for e in parked],
        )
        for e in parked:
            log.warning(
                "projection.waiting_for_predecessor",
                schema=s,
                stream_id=e.stream_id,
                version=e.aggregate_version,
                applied_version=last.get(e.stream_id, 0),
            )
    if released:
        await conn.execute(
            f"DELETE FROM {s}.parked p USING unnest($1::text[], $2::int[]) AS r(stream_id, version) "
            "WHERE p.stream_id = r.stream_id AND p.version = r.version",
            [r[0] for r in released],
            [r[1] for r in released],
        )
        log.info("projection.gap_closed", schema=s, released=len(released))
    return Admission(admitted, {k: v for k, v in last.items() if loaded.get(k) != v})


def record_versions_cte(s: str, streams: str, versions: str) -> str:
    """`record` as a WITH clause, to ride on the statement that writes the checkpoint."""
    return (
        f"WITH recorded AS (INSERT INTO {s}.versions (stream_id, version) "
        f"SELECT * FROM unnest({streams}::text[], {versions}::int[]) "
        f"ON CONFLICT (stream_id) DO UPDATE SET version = greatest({s}.versions.version, EXCLUDED.version)) "
    )


async def record(conn: asyncpg.Connection, s: str, versions: dict[str, int]) -> None:
    if versions:
        await conn.execute(
            f"INSERT INTO {s}.versions (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[]) "
            f"ON CONFLICT (stream_id) DO UPDATE SET version = greatest({s}.versions.version, EXCLUDED.version)",
            list(versions),
            list(versions.values()),
        )


async def skip_dead(conn: asyncpg.Connection, s: str, event: Envelope) -> list[Envelope]:
    """A dead-lettered event's turn is over: its version counts as passed, and the parked
    successors it held back are returned, in order, to be applied now."""
    if event.aggregate_version == 0:
        return []
    seen = await conn.fetchval(
        f"SELECT version FROM {s}.versions WHERE stream_id = $1 FOR UPDATE", event.stream_id
    )
    expect = max(seen or 0, event.aggregate_version) + 1
    chain = []
    for r in await conn.fetch(
        f"SELECT version, envelope FROM {s}.parked WHERE stream_id = $1 AND version >= $2 ORDER BY version",
        event.stream_id,
        expect,
    ):
        if r["version"] != expect:
            break
        chain.append(Envelope.model_validate_json(r["envelope"]))
        expect += 1
    await conn.execute(
        f"DELETE FROM {s}.parked WHERE stream_id = $1 AND version < $2", event.stream_id, expect
    )
    await record(conn, s, {event.stream_id: expect - 1})
    return chain


async def waiting(pool: asyncpg.Pool, s: str) -> tuple[int, float]:
    """How many events wait for a predecessor, and how long the oldest has waited (seconds)."""
    row = await pool.fetchrow(
        f"SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(parked_at)), 0) AS age FROM {s}.parked"
    )
    return row["n"], float(row["age"])

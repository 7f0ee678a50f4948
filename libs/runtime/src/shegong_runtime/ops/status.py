"""What an operator looks at first: streams, consumers and their lag, relays, dead letters.

Read-only: it asks JetStream for stream and consumer state, and each write service's schema
for its relay checkpoint against its event store head (and whether a relay holds the lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shegong_runtime import catalogue
from shegong_runtime.bus import DEADLETTER_PREFIX, DEADLETTER_STREAM, REDRIVE_PREFIX
from shegong_runtime.eventstore import EventStore, Position
from shegong_runtime.relay import lock_key


@dataclass(frozen=True)
class StreamState:
    name: str
    messages: int
    bytes: int
    first_seq: int
    last_seq: int
    first_ts: datetime | None
    last_ts: datetime | None
    replicas: int
    consumers: int


@dataclass(frozen=True)
class ConsumerState:
    stream: str
    name: str
    lag: int  # messages not yet delivered (num_pending)
    ack_pending: int  # delivered, not yet acknowledged
    redelivered: int
    waiting: int  # pull requests waiting: how many replicas are fetching


@dataclass(frozen=True)
class RelayState:
    service: str
    relay: str
    checkpoint: str  # (tx_id.position) of the last relayed event
    stream_seq: int  # the stream sequence of its last acknowledged publish
    unrelayed: int  # committed events past the checkpoint
    head: str  # the event store's last position
    active_pid: int | None  # the PostgreSQL backend holding the relay's single-active lock
    updated_at: datetime | None
    note: str = ""


@dataclass(frozen=True)
class DeadLetterCount:
    projection: str
    dead: int
    redriven: int


@dataclass(frozen=True)
class Status:
    streams: list[StreamState]
    consumers: list[ConsumerState]
    relays: list[RelayState]
    dead_letters: list[DeadLetterCount]


async def streams(js: JetStreamContext) -> list[StreamState]:
    out = []
    for info in await js.streams_info():
        name = info.config.name or ""
        if not name.startswith("SW_"):
            continue
        s = info.state
        out.append(
            StreamState(
                name,
                s.messages,
                s.bytes,
                s.first_seq,
                s.last_seq,
                await _stored_at(js, name, s.first_seq) if s.messages else None,
                await _stored_at(js, name, s.last_seq) if s.messages else None,
                info.config.num_replicas or 1,
                s.consumer_count,
            )
        )
    return sorted(out, key=lambda r: r.name)


async def _stored_at(js: JetStreamContext, stream: str, seq: int) -> datetime | None:
    try:
        return (await js.get_msg(stream, seq)).time
    except NotFoundError:
        return None


async def consumers(js: JetStreamContext, stream_names: list[str]) -> list[ConsumerState]:
    out = []
    for stream in stream_names:
        for c in await js.consumers_info(stream):
            out.append(
                ConsumerState(
                    stream,
                    c.name,
                    c.num_pending or 0,
                    c.num_ack_pending or 0,
                    c.num_redelivered or 0,
                    c.num_waiting or 0,
                )
            )
    return sorted(out, key=lambda r: (r.stream, r.name))


LOCK_HOLDER = """
SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = ((hashtext($1)::bigint >> 32) & 4294967295)::oid
  AND objid = (hashtext($1)::bigint & 4294967295)::oid
LIMIT 1
"""


async def relays(pool: asyncpg.Pool) -> list[RelayState]:
    """Each write service's relay checkpoint against its event store head."""
    out = []
    for name, ep in catalogue.services().items():
        service = ep.load()
        if not service.domain:
            continue
        schema = service.name
        store = EventStore(pool, schema)
        try:
            rows = await pool.fetch(
                f"SELECT relay, tx_id, position, stream_seq, updated_at FROM {schema}.relay_checkpoint"
            )
            head = await store.head()
        except asyncpg.UndefinedTableError:
            out.append(
                RelayState(name, service.domain, "-", 0, 0, "-", None, None, "no event store yet")
            )
            continue
        if not rows:
            rows = [
                {
                    "relay": service.domain,
                    "tx_id": 0,
                    "position": 0,
                    "stream_seq": 0,
                    "updated_at": None,
                }
            ]
        for row in rows:
            unrelayed = await store.count_after(Position(row["tx_id"], row["position"]))
            pid = await pool.fetchval(LOCK_HOLDER, lock_key(schema, row["relay"]))
            out.append(
                RelayState(
                    name,
                    row["relay"],
                    f"{row['tx_id']}.{row['position']}",
                    row["stream_seq"],
                    unrelayed,
                    str(head),
                    pid,
                    row["updated_at"],
                )
            )
    return out


async def dead_letters(js: JetStreamContext) -> list[DeadLetterCount]:
    try:
        dead = (
            await js.stream_info(DEADLETTER_STREAM, subjects_filter=f"{DEADLETTER_PREFIX}.>")
        ).state.subjects or {}
        redriven = (
            await js.stream_info(DEADLETTER_STREAM, subjects_filter=f"{REDRIVE_PREFIX}.>")
        ).state.subjects or {}
    except NotFoundError:
        return []
    names = {s.split(".", 2)[2] for s in [*dead, *redriven]}
    return [
        DeadLetterCount(
            n, dead.get(f"{DEADLETTER_PREFIX}.{n}", 0), redriven.get(f"{REDRIVE_PREFIX}.{n}", 0)
        )
        for n in sorted(names)
    ]


async def gather(js: JetStreamContext, pool: asyncpg.Pool | None) -> Status:
    found = await streams(js)
    return Status(
        streams=found,
        consumers=await consumers(js, [s.name for s in found]),
        relays=await relays(pool) if pool is not None else [],
        dead_letters=await dead_letters(js),
    )

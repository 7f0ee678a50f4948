"""The streams are the store's second copy: before a write service takes a command, its event
store is compared with its domain stream and given back whatever the stream holds that it lacks.

After a restore from a dump older than the stream, the stream holds events the store forgot.
Without this the next command on such an aggregate takes a version the stream already has
(two events at one version: a fork every subscriber that applied the first one skips). So:

- every message on the domain stream past what the store's relay checkpoint covers (from the
  start with `full`) is read, in stream order;
- an event the store lacks is written back as it was published: same id, stream, version and
  envelope (the message's bytes), in stream order, in one transaction;
- a version the store holds with another event id, or an event id the store holds at another
  version, is a fork: `StoreForked` names the stream, its sequence and the version, and the
  service does not start (never a silent fork, never a reused version);
- erasure events, written back or already held, destroy their subjects' keys again (a restored
  key store has the keys of people erased since the dump);
- a store given events back was restored: it gets a new epoch (`identity`);
- a relay checkpoint that stands ahead of its streams (a stream restored from an older
  snapshot, or lost) is reset, so the relay learns what each stream holds and publishes the
  rest.

Concurrent starts are serialized by an advisory lock; a replica already serving meanwhile is
harmless (what it commits is in the store before its relay publishes it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from shegong_events import Envelope
from shegong_events.subjects import stream_name

from shegong_runtime import bus, identity, logging
from shegong_runtime.crypto import KeyStore
from shegong_runtime.eventstore import EventStore

log = logging.get("reconcile")

# a service's erasure events by type: the data subjects whose keys go with each
Erasures = Mapping[str, Callable[[Envelope], Sequence[str]]]
READ_AHEAD = 64  # direct gets in flight while the stream is read


class StoreForked(RuntimeError):
    """The stream holds a version the store holds with another event: refuse to serve."""

    def __init__(self, stream: str, seq: int, stream_id: str, version: int, why: str) -> None:
        super().__init__(
            f"{stream} sequence {seq}: {stream_id} version {version} {why}; the store and the "
            "stream disagree, so no command is taken (docs/operators.md, a fork)"
        )
        self.stream, self.seq, self.stream_id, self.version = stream, seq, stream_id, version


@dataclass
class Reconciled:
    """What one reconciliation found and did."""

    stream: str
    scanned_from: int = 0
    scanned: int = 0
    imported: int = 0
    erasures_enforced: int = 0
    relay_reset: bool = False
    epoch: str = ""
    seconds: float = 0.0
    imported_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Published:
    seq: int
    envelope: Envelope
    raw: str


async def read_stream(js: JetStreamContext, stream: str, after: int) -> list[RawStreamMsg]:
    """Every message past `after`, in sequence order (direct gets, a window in flight; service
    users may not create consumers of their own choosing, and may always get messages)."""
    last = (await js.stream_info(stream)).state.last_seq
    out: list[RawStreamMsg] = []

    async def get(seq: int) -> RawStreamMsg | None:
        try:
            return await js.get_msg(stream, seq, direct=True)
        except NotFoundError:  # removed (limits, an operator): nothing to compare
            return None

    for start in range(after + 1, last + 1, READ_AHEAD):
        window = range(start, min(start + READ_AHEAD, last + 1))
        out += [m for m in await asyncio.gather(*(get(s) for s in window)) if m is not None]
    return out


def _published(stream: str, msgs: list[RawStreamMsg]) -> list[_Published]:
    found = []
    for m in msgs:
        raw = (m.data or b"").decode()
        try:
            env = Envelope.model_validate_json(raw)
        except ValidationError:
            log.warning("reconcile.undecodable", stream=stream, stream_seq=m.seq)
            continue
        found.append(_Published(m.seq or 0, env, raw))
    return found


async def reconcile(
    store: EventStore,
    js: JetStreamContext,
    domain: str,
    keys: KeyStore | None = None,
    erasures: Erasures | None = None,
    full: bool = False,
) -> Reconciled:
    """Compare the store with its domain stream, write back what it lacks; see the module."""
    started = time.monotonic()
    stream = stream_name(domain)
    done = Reconciled(stream)
    schema = store.schema
    async with store.pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"shegong.reconcile.{schema}")
        try:
            checkpoint = await conn.fetchrow(
                f"SELECT stream_seq, partition_seq FROM {schema}.relay_checkpoint WHERE relay = $1",
                domain,
            )
            done.scanned_from = 0 if full or checkpoint is None else checkpoint["stream_seq"]
            published = _published(stream, await read_stream(js, stream, done.scanned_from))
            done.scanned = len(published)
            async with conn.transaction():
                missing = await _missing(conn, schema, stream, published)
                await _write_back(conn, store, stream, missing)
                done.imported = len(missing)
                done.imported_ids = [str(p.envelope.event_id) for p in missing]
                if missing:
                    await identity.mint(conn, schema, identity.RESTORE_DETECTED)
                if keys is not None and erasures is not None:
                    held = (  # `full`: every erasure the store holds, else those written back
                        await _erasure_events(conn, schema, list(erasures))
                        if full
                        else [p.envelope for p in missing]
                    )
                    done.erasures_enforced = await enforce_erasures(conn, keys, erasures, held)
                if checkpoint is not None and await _streams_behind(js, domain, checkpoint):
                    await conn.execute(
                        f"UPDATE {schema}.relay_checkpoint SET tx_id = 0, position = 0, "
                        "stream_seq = 0, partition_seq = 0, updated_at = now() WHERE relay = $1",
                        domain,
                    )
                    done.relay_reset = True
            done.epoch = str(await identity.current(conn, schema))
        finally:
            await conn.execute(
                "SELECT pg_advisory_unlock(hashtext($1))", f"shegong.reconcile.{schema}"
            )
    done.seconds = time.monotonic() - started
    if done.imported or done.relay_reset:
        log.warning(
            "reconcile.restored",
            stream=stream,
            imported=done.imported,
            relay_reset=done.relay_reset,
            epoch=done.epoch,
        )
    return done


async def _missing(
    conn: asyncpg.Connection, schema: str, stream: str, published: list[_Published]
) -> list[_Published]:
    """The published events the store lacks, in stream order; a fork raises."""
    if not published:
        return []
    rows = await conn.fetch(
        f"""SELECT e.stream_id, e.version, e.event_id::text AS event_id
            FROM {schema}.events e
            WHERE (e.stream_id, e.version) IN (
                SELECT * FROM unnest($1::text[], $2::int[]))
               OR e.event_id = any($3::uuid[])""",
        [p.envelope.stream_id for p in published],
        [p.envelope.aggregate_version for p in published],
        [p.envelope.event_id for p in published],
    )
    at = {(r["stream_id"], r["version"]): r["event_id"] for r in rows}
    where = {r["event_id"]: (r["stream_id"], r["version"]) for r in rows}
    missing: list[_Published] = []
    taking: dict[tuple[str, int], str] = {}
    for p in published:
        env = p.envelope
        key, eid = (env.stream_id, env.aggregate_version), str(env.event_id)
        held = at.get(key) or taking.get(key)
        if held is not None and held != eid:
            raise StoreForked(stream, p.seq, *key, f"is event {eid} there, {held} here")
        if eid in where and where[eid] != key:
            raise StoreForked(
                stream, p.seq, *key, f"is event {eid}, held here as version {where[eid][1]}"
            )
        if held is None:
            taking[key] = eid
            missing.append(p)
    return missing


async def _write_back(
    conn: asyncpg.Connection, store: EventStore, stream: str, missing: list[_Published]
) -> None:
    """The lacking events as published, in stream order (the store's unique keys still guard).

    They are on the stream already, so they go in under transaction id 0: below any relay
    cursor, never published again. A relay whose checkpoint was reset to zero reads them too,
    and its scan of the streams finds them there."""
    sql = (
        f"INSERT INTO {store.schema}.events (tx_id, stream_id, version, event_id, event_type, "
        "station_id, aggregate_id, envelope) VALUES ('0'::xid8, $1, $2, $3, $4, $5, $6, $7)"
    )
    for p in missing:
        env = p.envelope
        try:
            await conn.execute(
                sql,
                env.stream_id,
                env.aggregate_version,
                env.event_id,
                env.event_type,
                env.station_id,
                env.aggregate_id,
                p.raw,
            )
        except asyncpg.UniqueViolationError:  # a replica serving meanwhile took the version
            raise StoreForked(
                stream, p.seq, env.stream_id, env.aggregate_version, "was taken meanwhile"
            ) from None


async def _erasure_events(
    conn: asyncpg.Connection, schema: str, erasure_types: Sequence[str]
) -> list[Envelope]:
    rows = await conn.fetch(
        f"SELECT envelope FROM {schema}.events WHERE event_type = any($1::text[])",
        list(erasure_types),
    )
    return [Envelope.model_validate_json(r["envelope"]) for r in rows]


async def enforce_erasures(
    conn: asyncpg.Connection, keys: KeyStore, erasures: Erasures, events: Sequence[Envelope]
) -> int:
    """Erasure events destroy their subjects' keys (again): a key store restored from a dump
    keeps the keys of people erased after it. Returns the subjects whose erasure was re-applied."""
    destroyed = 0
    for event in events:
        for subject in erasures[event.event_type](event) if event.event_type in erasures else ():
            if await conn.fetchval(
                f"SELECT 1 FROM {keys.schema}.subject_keys WHERE subject_id = $1", subject
            ) or not await conn.fetchval(
                f"SELECT 1 FROM {keys.schema}.erased_subjects WHERE subject_id = $1", subject
            ):
                await keys.erase(subject, conn=conn)
                destroyed += 1
    return destroyed


async def _streams_behind(js: JetStreamContext, domain: str, checkpoint: asyncpg.Record) -> bool:
    """The relay's checkpoint names sequences its streams no longer reach."""
    for name, seq in (
        (stream_name(domain), checkpoint["stream_seq"]),
        (bus.partition_stream_name(domain), checkpoint["partition_seq"]),
    ):
        try:
            last = (await js.stream_info(name)).state.last_seq
        except NotFoundError:
            last = 0
        if last < seq:
            return True
    return False

"""The relay's loop: from a service's event store to its domain stream, single active per service.

Each event goes to its domain stream and to the domain's partition stream (`bus`), in the
store's order. Exactly once in each, without trusting the duplicate window: on start (and after
any error) the recovery scan (`relay.recovery`) learns which event ids each stream already
holds past the checkpoint, and the loop skips them. `Nats-Msg-Id` still guards the common case;
the scan covers a restart after the window has ended.

A batch whose acknowledgements stop coming (the stream's leader died, the connection dropped)
is given up as soon as the client reconnects, or after `relay_ack_timeout_s`: its unanswered
publishes are cancelled (freeing the client's pending slots) and the stream scan decides what
to publish again. The relay never sits out a fixed limit while a new leader is already there.

No polling floor: a commit wakes the relay. A command committed in the relay's own process
signals it directly (`EventStore.on_commit`); a replica whose relay is not the active one sends
`pg_notify('shegong_<schema>', '')` after its commit, and the active relay LISTENs on its lock
connection. The NOTIFY is not sent inside the append transaction on purpose: PostgreSQL
serialises the commits of notifying transactions (a database-wide lock held through the WAL
flush), which would undo group commit for concurrent writers. An append inside a transaction
the store does not hold (a projection that journals its own events) sends its NOTIFY inside
that transaction, delivered at its commit. The idle poll stays as the fallback for writes that
signal nobody (`relay_idle_poll_s`).
"""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any

import asyncpg
import nats.js.client
import orjson
from nats.aio.client import Client
from shegong_events import Envelope
from shegong_events.subjects import stream_name

from shegong_runtime import bus, identity, logging, metrics, tracing
from shegong_runtime.eventstore import EventStore, Position, channel
from shegong_runtime.pauses import pause
from shegong_runtime.relay import recovery
from shegong_runtime.settings import Settings

# nats-py parses every publish acknowledgement with the standard json module, and the relay
# waits on two per event: orjson parses them several times faster (measured: bench/NOTES.md).
# Only nats-py's JetStream client sees this; what it sends stays `json.dumps`.
nats.js.client.json = SimpleNamespace(  # type: ignore[assignment]  # a module swapped for a namespace of its three names
    loads=orjson.loads, dumps=json.dumps, JSONDecodeError=json.JSONDecodeError
)

POSITION_HEADER = "Sw-Position"
HIDDEN_RETRY_S = 0.01
log = logging.get("relay")


def lock_key(schema: str, relay: str) -> str:
    """The advisory lock that makes one relay per service active (status reports its holder)."""
    return f"shegong.relay.{schema}.{relay}"


class Unconfirmed(Exception):
    """The stream did not acknowledge a batch: the next recovery scans what it holds."""


class Relay:
    """Publishes one domain's events from the store to its streams while it holds the lock."""

    def __init__(self, store: EventStore, nc: Client, domain: str, settings: Settings) -> None:
        self.store, self.nc, self.domain, self.settings = store, nc, domain, settings
        self.js = nc.jetstream(
            publish_async_max_pending=settings.relay_batch_size * 4
        )  # two streams, two batches
        self.stream = stream_name(domain)
        self.partition_stream = bus.partition_stream_name(domain)
        self.name = domain
        self.cursor = Position()
        self.stream_seq = 0
        self.partition_seq = 0
        self.partitions = 1
        self.epoch = ""  # the store's identity, on every message (`identity.HEADER`)
        self.active = False
        self.running = False
        self._already: set[str] = set()  # event ids the domain stream holds past the checkpoint
        self._already_partitioned: set[str] = set()  # and the partition stream
        self._inflight: asyncio.Task[None] | None = None
        self.checkpoint = Position()
        self._lag_measured_at = 0.0
        self._wake = asyncio.Event()  # set by a commit: something new may be readable
        self._notifying: asyncio.Task[None] | None = None
        self._notify_again = False
        store.on_commit(self._committed)

    @property
    def lock_key(self) -> str:
        return lock_key(self.store.schema, self.name)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay while holding the advisory lock, until `stop` is set.

        Any failure (database or bus gone, lock session lost) drops back to acquiring the lock
        again: the task never dies, and a relay that lost its lock stops publishing.
        """
        self.running = True
        try:
            while not stop.is_set():
                try:
                    await self._lead(stop)
                except Exception as exc:  # noqa: BLE001 - a supervisor loop: whatever failed, the unit or batch starts again
                    log.warning("relay.error", domain=self.domain, error=type(exc).__name__)
                    await pause(stop, 1.0)
        finally:
            self.running = False

    def _committed(self) -> None:
        """A transaction of this process's store committed: wake the relay, wherever it runs."""
        if self.active:
            self._wake.set()
        elif self.running:
            self._notify_soon()

    def _notify_soon(self) -> None:
        """One NOTIFY in flight at most; commits during it are covered by one more."""
        if self._notifying is not None and not self._notifying.done():
            self._notify_again = True
            return
        self._notifying = asyncio.create_task(self._notify())

    async def _notify(self) -> None:
        while True:
            self._notify_again = False
            try:
                await self.store.pool.execute(
                    "SELECT pg_notify($1, '')", channel(self.store.schema)
                )
            except Exception as exc:  # noqa: BLE001 - the idle poll still finds the events
                log.debug("relay.notify_failed", domain=self.domain, error=type(exc).__name__)
                return
            if not self._notify_again:
                return

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _lead(self, stop: asyncio.Event) -> None:
        lock_conn = await asyncpg.connect(self.settings.database_url)
        try:
            while not await lock_conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", self.lock_key
            ):
                await pause(stop, self.settings.relay_lock_poll_s)
                if stop.is_set():
                    return
            await lock_conn.add_listener(channel(self.store.schema), self._notified)
            lock_conn.add_termination_listener(self._notified)  # a lost lock session: check at once
            self.active = True
            metrics.RELAY_ACTIVE.labels(self.name).set(1)
            log.info("relay.active", domain=self.domain)
            await self.recover()
            checked_at = time.monotonic()
            hidden_wait = 0.0  # the wait while committed events are hidden, doubling
            while not stop.is_set():
                if (
                    lock_conn.is_closed() or time.monotonic() - checked_at >= 0.5
                ):  # still ours? a lost session frees the lock
                    await lock_conn.fetchval("SELECT 1")
                    checked_at = time.monotonic()
                self._wake.clear()  # a commit from here on wakes the next wait
                try:
                    sent = await self.pump_once()
                except Exception as exc:  # noqa: BLE001 - the bus or the database hiccuped: rescan, retry
                    log.warning(
                        "relay.error",
                        domain=self.domain,
                        error=type(exc).__name__,
                        detail=str(exc)[:200],
                    )
                    await pause(stop, 0.25)
                    await lock_conn.fetchval("SELECT 1")
                    await self.recover()
                    continue
                if sent == 0:
                    await self._measure_lag()
                    # committed behind a transaction still running: readable once it ends,
                    # which may signal nobody (a projection's batch in the same database)
                    idle = self.settings.relay_idle_poll_s
                    if await self.store.any_after(self.cursor):
                        hidden_wait = min(max(hidden_wait * 2, HIDDEN_RETRY_S), idle)
                    else:
                        hidden_wait = 0.0
                    await pause(stop, hidden_wait or idle, self._wake)  # or a commit wakes it
            await self.settle()  # graceful stop: the batch in hand is confirmed
        finally:
            self.active = False
            metrics.RELAY_ACTIVE.labels(self.name).set(0)
            self._abandon()
            await lock_conn.close(timeout=2)

    def _abandon(self) -> None:
        """Forget unconfirmed batches: the next leader's stream scan accounts for them."""
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None

    async def recover(self) -> None:
        """Load the checkpoint, then learn which events past it each stream already holds."""
        at = await recovery.checkpoint(self.store, self.name)
        self._abandon()  # a failed batch: the stream scans below cover it
        self.cursor = self.checkpoint = at.cursor
        self.stream_seq, self.partition_seq = at.stream_seq, at.partition_seq
        held = await recovery.scan(self.store, self.js, self.domain, self.settings, at)
        self.epoch, self.partitions = held.epoch, held.partitions
        self._already, self._already_partitioned = held.in_stream, held.in_partitions
        # the sequences stay the checkpointed ones: they move only with acks paired with the
        # cursor, so a second failure before the next checkpoint scans these messages again
        if self._already or self._already_partitioned:
            log.info(
                "relay.recovered",
                domain=self.domain,
                already_in_stream=len(self._already),
                already_in_partitions=len(self._already_partitioned),
            )

    async def pump_once(self) -> int:
        """Publish one batch pipelined, in global order; its acks and checkpoint complete while
        the next batch is read and published (at most two batches in flight)."""
        batch = await self.store.read_rows_since(self.cursor, self.settings.relay_batch_size)
        if not batch:
            await self.settle()
            return 0
        if self._inflight is not None and self._inflight.done():
            await self.settle()  # surfaces a failed confirmation before publishing more
        futures = []
        for row in batch:
            event_id = row["event_id"]
            # tokens were checked when the envelope was built (Envelope's field patterns)
            rest = f"{row['station_id']}.{row['event_type']}.{row['aggregate_id']}"
            data = row["envelope"].encode()
            headers = {
                "Nats-Msg-Id": event_id,
                POSITION_HEADER: f"{row['tx']}.{row['position']}",
                identity.HEADER: self.epoch,
            }
            if event_id in self._already:
                self._already.discard(event_id)
            else:
                futures.append(
                    await self.js.publish_async(f"sw.{self.domain}.{rest}", data, headers=headers)
                )
            if event_id in self._already_partitioned:
                self._already_partitioned.discard(event_id)
            else:
                k = bus.partition_of(row["aggregate_id"], self.partitions)
                futures.append(
                    await self.js.publish_async(
                        f"{bus.PARTITION_PREFIX}.{self.domain}.{k}.{rest}", data, headers=headers
                    )
                )
        self.cursor = Position(batch[-1]["tx"], batch[-1]["position"])
        previous, self._inflight = self._inflight, None
        self._inflight = asyncio.create_task(self._confirm(previous, futures, self.cursor, batch))
        if previous is not None:
            await asyncio.shield(previous)  # keep at most two batches unconfirmed
        return len(batch)

    async def settle(self) -> None:
        """Wait until every published batch is acknowledged and checkpointed."""
        if self._inflight is not None:
            task, self._inflight = self._inflight, None
            await task

    async def _confirm(
        self,
        previous: asyncio.Task[None] | None,
        futures: list[Any],
        cursor: Position,
        rows: list[Any],
    ) -> None:
        """Acks, then the checkpoint: strictly after the previous batch's checkpoint."""
        started = time.perf_counter()
        started_ns = time.time_ns()
        try:
            if previous is not None:
                await previous
            acks = await self._acks(futures)
        finally:
            for f in futures:  # a batch given up: its slots in the client are freed
                if not f.done():
                    f.cancel()
        for ack in acks:
            if ack.stream == self.stream:
                self.stream_seq = max(self.stream_seq, ack.seq)
            else:
                self.partition_seq = max(self.partition_seq, ack.seq)
        await self._save_checkpoint(cursor)
        metrics.RELAYED.labels(self.name).inc(sum(1 for a in acks if a.stream == self.stream))
        metrics.RELAY_BATCH_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        if tracing.enabled():  # parsed again only when someone reads the traces
            published = [Envelope.model_validate_json(r["envelope"]) for r in rows]
            tracing.record_events(
                "relay.published", published, started_ns, **{"shegong.domain": self.domain}
            )

    async def _save_checkpoint(self, cursor: Position) -> None:
        """The batch is in both streams: move the checkpoint past it (a crash before this
        publishes the batch again, and the streams' duplicate check or the recovery scan drops it)."""
        await self.store.pool.execute(
            f"UPDATE {self.store.schema}.relay_checkpoint SET tx_id = $2, position = $3, "
            "stream_seq = $4, partition_seq = $5, updated_at = now() WHERE relay = $1",
            self.name,
            cursor.tx_id,
            cursor.position,
            self.stream_seq,
            self.partition_seq,
        )
        self.checkpoint = cursor

    async def _acks(self, futures: list[Any]) -> list[Any]:
        """Every acknowledgement of a batch, or Unconfirmed once the client reconnected (acks
        of the old connection never come) or the time limit passed."""
        if not futures:
            return []
        reconnects = self.nc.stats["reconnects"]
        deadline = time.monotonic() + self.settings.relay_ack_timeout_s
        pending = set(futures)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=0.1)
            if pending and (
                self.nc.stats["reconnects"] != reconnects or time.monotonic() > deadline
            ):
                raise Unconfirmed(f"{len(pending)} of {len(futures)} publishes unacknowledged")
        return [f.result() for f in futures]

    async def _measure_lag(self) -> None:
        now = time.monotonic()
        if now - self._lag_measured_at >= 1.0:
            self._lag_measured_at = now
            metrics.RELAY_LAG.labels(self.name).set(await self.lag())

    async def lag(self) -> int:
        """Events committed but not yet relayed."""
        return await self.store.count_after(self.checkpoint)

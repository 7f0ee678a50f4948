"""Where a generated command goes: the service's decider, then its event store in bulk.

`Streams` is the command path without HTTP: the aggregate's state and version held while its
station is generated, `decide` on them, envelopes at the next versions, `evolve` on them after.
Each event is recorded when it happened (`recorded_at` = `occurred_at`), as a store that lived
through the year records it: what counts from `recorded_at` (a notification rule applies to
events recorded while it is active) sees the year's order, not the generator's. `Sink`
buffers a service's envelopes and appends them with `EventStore.append_bulk` in one transaction
per batch, together with the data keys first used in that batch (as the command path stores a
key in its append transaction) and the batch's side tables (registers, erasures).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from shegong_events import CATALOG, Envelope
from shegong_runtime.crypto import KeyStore
from shegong_runtime.decider import Decider
from shegong_runtime.eventstore import EventStore

S = TypeVar("S")
Hook = Callable[[asyncpg.Connection], Awaitable[None]]


class HistoryKeys(KeyStore):
    """The service's key store, sealing for subjects this run creates without a round trip
    per value: a new subject's key is made (wrapped by the master key as `KeyStore` wraps it),
    held in memory, and stored with the batch that first uses it."""

    def __init__(self, pool: asyncpg.Pool, schema: str, master_key_b64: str) -> None:
        super().__init__(pool, schema, master_key_b64)
        self.made: dict[str, AESGCM] = {}
        self.pending: list[tuple[str, bytes, str | None]] = []
        self.station: str | None = None

    async def _key(
        self, subject_id: str, create: bool, conn: asyncpg.Connection | None = None
    ) -> AESGCM | None:
        if (key := self.made.get(subject_id)) is not None:
            return key
        if not create:
            return await super()._key(subject_id, create, conn)
        raw, nonce = AESGCM.generate_key(256), os.urandom(12)
        wrapped = nonce + self._master.encrypt(nonce, raw, subject_id.encode())
        self.pending.append((subject_id, wrapped, self.station))
        self.made[subject_id] = key = AESGCM(raw)
        return key

    def forget(self) -> None:
        """A station is done: its subjects take no more commands in this run."""
        self.made.clear()


def chronological(events: list[Envelope]) -> list[Envelope]:
    """The batch in the order the year happened, as the store holds a real year (the generator
    decides household by household): sorted by time, each stream's events kept in their order
    (its key is the latest time of the stream so far, so never smaller than an earlier one's)."""
    latest: dict[str, datetime] = {}
    keyed = []
    for i, event in enumerate(events):
        at = max(latest.get(event.aggregate_id, event.occurred_at), event.occurred_at)
        latest[event.aggregate_id] = at
        keyed.append((at, i, event))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [event for _, _, event in keyed]


class Sink:
    """A write service's event store, fed in batches of `batch` events."""

    def __init__(self, store: EventStore, keys: HistoryKeys, batch: int = 5000) -> None:
        self.store, self.keys, self.batch = store, keys, batch
        self.events: list[Envelope] = []
        self.hooks: list[Hook] = []
        self.written = 0

    async def add(self, envelopes: list[Envelope], hook: Hook | None = None) -> None:
        self.events.extend(envelopes)
        if hook is not None:
            self.hooks.append(hook)
        if len(self.events) >= self.batch:
            await self.flush()

    async def flush(self) -> None:
        if not self.events and not self.keys.pending:
            return
        async with self.store.transaction() as conn:
            if self.keys.pending:
                await conn.copy_records_to_table(
                    "subject_keys",
                    schema_name=self.store.schema,
                    columns=["subject_id", "wrapped_key", "station_id"],
                    records=self.keys.pending,
                )
            await self.store.append_bulk(chronological(self.events), conn)
            for hook in self.hooks:
                await hook(conn)
        self.written += len(self.events)
        self.events, self.hooks, self.keys.pending = [], [], []


class Streams(Generic[S]):
    """One aggregate type's streams of the station being generated, decided as `handle` does."""

    def __init__(self, decider: Decider[Any, S], sink: Sink, actor: str) -> None:
        self.decider, self.sink, self.actor = decider, sink, actor
        self.states: dict[str, tuple[S, int]] = {}

    def state(self, aggregate_id: str) -> S:
        return self.states.get(aggregate_id, (self.decider.initial(), 0))[0]

    def decide(
        self, aggregate_id: str, command: Any, *, station_id: str, at: datetime
    ) -> list[Envelope]:
        """The command decided on the held state; raises the decider's refusal like a route."""
        state, version = self.states.get(aggregate_id) or (self.decider.initial(), 0)
        events = list(self.decider.decide(command, state))
        envelopes = []
        for i, event in enumerate(events, 1):
            envelope = Envelope.wrap(
                event,
                aggregate_id=aggregate_id,
                station_id=station_id,
                actor=self.actor,
                occurred_at=at,
                aggregate_version=version + i,
            ).model_copy(update={"recorded_at": at})  # recorded as it happened, in the year
            state = self.decider.evolve(state, CATALOG.decode(envelope))  # as read back
            envelopes.append(envelope)
        self.states[aggregate_id] = (state, version + len(events))
        return envelopes

    async def run(
        self,
        aggregate_id: str,
        command: Any,
        *,
        station_id: str,
        at: datetime,
        hook: Callable[[list[Envelope]], Hook] | None = None,
    ) -> list[Envelope]:
        envelopes = self.decide(aggregate_id, command, station_id=station_id, at=at)
        await self.sink.add(envelopes, hook(envelopes) if hook else None)
        return envelopes

    def forget(self) -> None:
        self.states.clear()

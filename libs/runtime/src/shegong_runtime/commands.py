"""The one command path: load the aggregate, check the caller's scope, answer a retry from
memory, build and seal the command, decide, append at the version loaded, answer once (`send`).

`Idempotency-Key`: the first answer is stored in the same transaction as the events, so a retry
gets that answer back and appends nothing, even when two retries race. The stored fingerprint
is an HMAC under the service's secret (an unkeyed hash of a body gives a phone number back in a
minute), and the row goes with the data subjects it sealed for when they are erased.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import asyncpg
from shegong_events import CATALOG, Envelope

from shegong_runtime import crypto, logging, metrics, pipl, tracing
from shegong_runtime.crypto import KeyStore
from shegong_runtime.decider import Aggregate, Decider
from shegong_runtime.errors import DomainError, NotFound
from shegong_runtime.eventstore import ConcurrencyConflict, EventStore

if TYPE_CHECKING:
    from shegong_runtime.auth import Principal

S = TypeVar("S")
C = TypeVar("C")
log = logging.get("commands")


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent with a different request body."""

    status = 422


@dataclass(frozen=True)
class CommandContext:
    """Who asks, and under which correlation and idempotency key."""

    actor: str
    correlation_id: UUID
    idempotency_key: str | None = None
    fingerprint: str = ""
    causation_id: UUID | None = None


@dataclass(frozen=True)
class Answer:
    """A command's answer; `version` is the aggregate's version after it (the ETag)."""

    status: int
    body: dict[str, Any]
    replayed: bool = False
    version: int | None = None


def fingerprint(payload: Any, secret: str) -> str:
    """HMAC-SHA256 of the request under the service's fingerprint secret."""
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def load(store: EventStore, aggregate: Aggregate[S], aggregate_id: str) -> tuple[S, int]:
    if store.snapshots is not None:  # the snapshot and the events after it, when it is valid
        return await store.snapshots.load(aggregate, aggregate_id)
    history = await store.load(f"{aggregate.aggregate_type}-{aggregate_id}")
    return aggregate.fold(history), len(history)


async def remembered(store: EventStore, ctx: CommandContext) -> Answer | None:
    if not ctx.idempotency_key:
        return None
    row = await store.pool.fetchrow(
        f"SELECT fingerprint, status, response FROM {store.schema}.idempotency WHERE key = $1",
        ctx.idempotency_key,
    )
    if row is None:
        return None
    if row["fingerprint"] != ctx.fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {ctx.idempotency_key!r} 已用于另一个请求",
            field="Idempotency-Key",
        )
    body = json.loads(row["response"])
    version = body.get("version") if isinstance(body, dict) else None
    return Answer(
        row["status"], body, replayed=True, version=version if isinstance(version, int) else None
    )


Respond = Callable[[list[Envelope], Any], Answer]
Pick = Callable[[list[Envelope], Any], Any]


def id_of(envelopes: list[Envelope], _state: object) -> str | None:
    return envelopes[0].aggregate_id if envelopes else None


def version_of(envelopes: list[Envelope], _state: object) -> int | None:
    return envelopes[-1].aggregate_version if envelopes else None


def event_types(envelopes: list[Envelope], _state: object) -> list[str]:
    return [e.event_type for e in envelopes]


def last(key: str) -> Pick:
    """A fact of the last event recorded (a motion's `passed`, a session's `minutes`)."""
    return lambda envelopes, _state: envelopes[-1].data.get(key) if envelopes else None


def last_of(*keys: str) -> dict[str, Any]:
    """Picks of these facts of the last event recorded, for `changed(..., **last_of(...))`."""
    return {key: last(key) for key in keys}


def answer(status: int, /, **fields: Any) -> Respond:
    """An order's `respond`: a body of these fields in this order, each a value or a pick
    `(envelopes, state) -> value` (`id_of`, `version_of`, `event_types`, `last(...)`)."""

    def build(envelopes: list[Envelope], state: Any) -> Answer:
        return Answer(
            status, {k: v(envelopes, state) if callable(v) else v for k, v in fields.items()}
        )

    return build


def changed(status: int, id_field: str, /, *, events: bool = True, **more: Any) -> Respond:
    """The usual answer: the aggregate's id under `id_field`, its new version, the events
    recorded (unless `events=False`), then `more` as in `answer`."""
    listed = {"events": event_types} if events else {}
    return answer(status, **{id_field: id_of, "version": version_of}, **listed, **more)


Sealer = Callable[[str | None], Awaitable[str | None]]
"""Seals one value with the data subject's key (None stays None); the key waits in memory
until the command's append transaction (`crypto.persist`)."""
AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]
Scope = Callable[["Principal", S], Awaitable[None]]
"""A command's own scope rule, `(who, state)`, raising unless the caller may (a station not
opened yet, a record filed under a district); the command request runs it instead of the
write check at the command's station."""
Check = Callable[[str, Any], Awaitable[None]]
"""The caller's scope: raises unless they may write at the station (given the loaded state)."""


@dataclass(frozen=True)
class Order(Generic[C, S]):
    """One command for the one command path, as a route, a privacy route or a job states it.

    `command` is the command, or `build(state, seal)` when it needs the loaded state (a check
    of its own) or seals personal data: it is built after the load, the scope check and the
    replay check, so a retry seals nothing and a refused caller learns nothing.
    `station_id`: a creating (or station-scoped) command's station; None for a command on an
    existing aggregate, whose loaded state names its station (`missing` when there is none).
    `subject`: the data subject whose key seals (`seal`); with `erases`, the key destroyed in
    the command's own transaction (and its snapshot dropped), refused if erased already."""

    decider: Decider[C, S]
    aggregate_id: str
    command: C | Callable[[S, Sealer], Awaitable[C]]
    respond: Respond
    station_id: str | None = None
    missing: DomainError | None = None
    subject: str | None = None
    erases: bool = False
    occurred_at: datetime | None = None
    after_append: AfterAppend | None = None
    raced_by: tuple[type[Exception], ...] = ()
    scope: Scope[S] | None = None  # a scope of its own, instead of the write check at the station

    @property
    def stream_id(self) -> str:
        return f"{self.decider.aggregate_type}-{self.aggregate_id}"

    def station(self, state: S) -> str:
        """Where the command is filed: the given station, else the loaded aggregate's."""
        station = self.station_id or getattr(state, "station_id", None)
        if not station:
            raise self.missing or NotFound(
                f"没有 {self.decider.aggregate_type} {self.aggregate_id}", field="aggregate_id"
            )
        return str(station)

    async def built(self, state: S, keys: KeyStore | None) -> C:
        if not callable(self.command):
            return self.command
        subject = self.subject

        async def seal(value: str | None) -> str | None:
            assert keys is not None and subject is not None, "sealing needs keys and a subject"
            return await keys.seal(subject, value)

        return await self.command(state, seal)


async def send(
    store: EventStore,
    order: Order[C, S],
    ctx: CommandContext,
    *,
    keys: KeyStore | None = None,
    check: Check | None = None,
    expected_version: int | None = None,
) -> Answer:
    """The one command path: load → scope (`check`) → the remembered answer of a retry →
    `expected_version` (If-Match) → build and seal → decide → append with the answer and the
    new keys in one transaction → answer. Nothing is sealed before the caller's scope and the
    replay are settled, and a key exists only once its command is appended."""
    if ctx.causation_id is not None:
        logging.bind(causation_id=str(ctx.causation_id))
    decider, aggregate_id = order.decider, order.aggregate_id
    state, version = await load(store, decider, aggregate_id)
    station_id = order.station(state)
    if check is not None:
        await check(station_id, state)
    if (previous := await remembered(store, ctx)) is not None:
        return previous
    if expected_version is not None and expected_version != version:
        raise ConcurrencyConflict(order.stream_id, expected_version, version)
    command = await order.built(state, keys)
    with tracing.span(f"decide {decider.aggregate_type}", **{"shegong.version": version}):
        events = list(decider.decide(command, state))
    after_append = order.after_append
    if order.erases:
        assert keys is not None and order.subject is not None, "an erasure names its subject"
        await pipl.require_not_erased(keys, order.subject)  # after the decider's own rule
        after_append = _erasing(store, keys, order.subject, after_append)
    envelopes = [
        Envelope.wrap(
            e,
            aggregate_id=aggregate_id,
            station_id=station_id,
            actor=ctx.actor,
            occurred_at=order.occurred_at,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            aggregate_version=version + i + 1,
        )
        for i, e in enumerate(events)
    ]
    stream_id = order.stream_id
    raced: tuple[type[Exception], ...] = (_RetryRaced, ConcurrencyConflict, *order.raced_by)
    try:
        with tracing.span(f"append {decider.aggregate_type}", **{"shegong.events": len(envelopes)}):
            stored, answer = await _commit(
                store,
                decider,
                stream_id,
                state,
                version,
                envelopes,
                ctx,
                order.respond,
                after_append,
            )
    except crypto.KeyRaced:
        raise ConcurrencyConflict(stream_id, version, version) from None
    except raced:
        # a concurrent retry with the same key won the race: answer with its answer
        if ctx.idempotency_key and (first := await remembered(store, ctx)) is not None:
            return first
        raise
    crypto.committed()
    for envelope in stored:
        metrics.COMMANDS.labels(store.schema, envelope.event_type, "ok").inc()
    log.info(
        "command.handled",
        aggregate_type=decider.aggregate_type,
        aggregate_id=aggregate_id,
        station_id=station_id,
        events=[e.event_type for e in stored],
        version=version + len(stored),
    )
    return answer


def _erasing(
    store: EventStore, keys: KeyStore, subject: str, first: AfterAppend | None
) -> AfterAppend:
    """The route's own step in the erasure's transaction, the stream's snapshot (its sealed
    copies) dropped, then the subject's key destroyed."""

    async def erase(conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if first is not None:
            await first(conn, envelopes)
        if store.snapshots is not None:
            for stream in {e.stream_id for e in envelopes}:
                await store.snapshots.forget(stream, conn)
        await keys.erase(subject, conn=conn)

    return erase


class _RetryRaced(Exception):
    """Another request with the same Idempotency-Key committed first."""


async def _commit(
    store: EventStore,
    aggregate: Decider[C, S],
    stream_id: str,
    state: S,
    version: int,
    envelopes: list[Envelope],
    ctx: CommandContext,
    respond: Respond,
    after_append: AfterAppend | None,
) -> tuple[list[Envelope], Answer]:
    async with store.transaction() as conn:
        stored = await store.append(stream_id, envelopes, version, conn=conn, loaded=True)
        station = envelopes[0].station_id if envelopes else None
        subjects = await crypto.persist(
            conn, store.schema, station
        )  # keys only for accepted commands
        for envelope in stored:
            state = aggregate.evolve(state, CATALOG.decode(envelope), envelope)
        answer = replace(respond(stored, state), version=version + len(stored))
        if after_append is not None:
            await after_append(conn, stored)
        if ctx.idempotency_key:
            inserted = await conn.fetchval(
                f"INSERT INTO {store.schema}.idempotency (key, fingerprint, status, response, subjects) "
                "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (key) DO NOTHING RETURNING 1",
                ctx.idempotency_key,
                ctx.fingerprint,
                answer.status,
                json.dumps(answer.body, ensure_ascii=False, default=str),
                subjects,
            )
            if not inserted:
                raise _RetryRaced()
    return stored, answer

"""Handling a command: load the aggregate, decide, append at the expected version, answer once.

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from shegong_events import CATALOG, Envelope

from shegong_runtime import crypto, logging, metrics, tracing
from shegong_runtime.decider import Aggregate, Decider
from shegong_runtime.errors import DomainError
from shegong_runtime.eventstore import ConcurrencyConflict, EventStore

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
    status: int
    body: dict[str, Any]
    replayed: bool = False


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
            f"Idempotency-Key {ctx.idempotency_key!r} was first used with a different request",
            field="Idempotency-Key",
        )
    return Answer(row["status"], json.loads(row["response"]), replayed=True)


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


def answer(status: int, /, **fields: Any) -> Respond:
    """`respond` for `handle`: a body of these fields in this order, each a value or a pick
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


async def handle(
    store: EventStore,
    decider: Decider[C, S],
    aggregate_id: str,
    command: C,
    *,
    station_id: str,
    ctx: CommandContext,
    respond: Callable[[list[Envelope], S], Answer],
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    after_append: Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]] | None = None,
    raced_by: tuple[type[Exception], ...] = (),
    loaded: tuple[S, int] | None = None,
    replay_asked: bool = False,
) -> Answer:
    """The one command path: `decider.decide(command, state)` on the state loaded, appended at
    the version loaded (or `expected_version`, from If-Match), the answer stored with the events.

    `raced_by`: refusals a concurrent retry under the same Idempotency-Key may have caused (it
    claimed the name in the same transaction as its events): answered with that retry's answer.
    `loaded` and `replay_asked`: the route already loaded the aggregate (for its scope check)
    and asked for a remembered answer (before sealing), so neither round trip runs twice; a
    command appended since that load still loses the race at the append (409)."""
    if ctx.causation_id is not None:
        logging.bind(causation_id=str(ctx.causation_id))
    if not replay_asked and (previous := await remembered(store, ctx)) is not None:
        return previous
    state, version = loaded if loaded is not None else await load(store, decider, aggregate_id)
    if expected_version is not None and expected_version != version:
        raise ConcurrencyConflict(
            f"{decider.aggregate_type}-{aggregate_id}", expected_version, version
        )
    with tracing.span(f"decide {decider.aggregate_type}", **{"shegong.version": version}):
        events = list(decider.decide(command, state))
    envelopes = [
        Envelope.wrap(
            e,
            aggregate_id=aggregate_id,
            station_id=station_id,
            actor=ctx.actor,
            occurred_at=occurred_at,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            aggregate_version=version + i + 1,
        )
        for i, e in enumerate(events)
    ]
    stream_id = f"{decider.aggregate_type}-{aggregate_id}"
    raced: tuple[type[Exception], ...] = (_RetryRaced, ConcurrencyConflict, *raced_by)
    try:
        with tracing.span(f"append {decider.aggregate_type}", **{"shegong.events": len(envelopes)}):
            stored, answer = await _commit(
                store, decider, stream_id, state, version, envelopes, ctx, respond, after_append
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


class _RetryRaced(Exception):
    """Another request with the same Idempotency-Key committed first."""


async def _commit(
    store, aggregate, stream_id, state, version, envelopes, ctx, respond, after_append
):
    async with store.transaction() as conn:
        stored = await store.append(stream_id, envelopes, version, conn=conn, loaded=True)
        station = envelopes[0].station_id if envelopes else None
        subjects = await crypto.persist(
            conn, store.schema, station
        )  # keys only for accepted commands
        for envelope in stored:
            state = aggregate.evolve(state, CATALOG.decode(envelope), envelope)
        answer = respond(stored, state)
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

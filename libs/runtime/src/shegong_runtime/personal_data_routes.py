"""The two routes of a data subject's rights (PIPL), the same in every service: erasure, a
command whose event destroys the subject's key in its own transaction, and export, a copy of
everything recorded about them with the sealed fields opened. Each service declares the paths
and names the decider, the subject and the streams; the checks and the steps live here.

A service whose subject is not held at one station's scope (the person themselves, a district
officer's record) or whose decider refuses an erased subject under a rule of its own says so
with the keyword arguments; the steps stay these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from shegong_events import Envelope

from shegong_runtime import pipl
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Answer, CommandContext, handle
from shegong_runtime.crypto import KeyStore
from shegong_runtime.decider import Decider
from shegong_runtime.eventstore import EventStore
from shegong_runtime.http import respond
from shegong_runtime.service import Runtime

C = TypeVar("C")
S = TypeVar("S")


class ExportedEvent(BaseModel):
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    station_id: str
    facts: dict[str, Any] = Field(description="the event's facts, sealed fields opened")


class PersonalDataCopy(BaseModel):
    """A person's copy of their data (PIPL), as JSON."""

    subject_id: str
    exported_at: datetime
    events: list[ExportedEvent]


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": PersonalDataCopy},
    409: {"description": "the person's data was erased already"},
}


AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]


def _then_destroy(first: AfterAppend | None, destroy: AfterAppend) -> AfterAppend:
    """The route's own step in the erasure's transaction, then the key destroyed."""
    if first is None:
        return destroy

    async def both(conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        await first(conn, envelopes)
        await destroy(conn, envelopes)

    return both


def _unsnapshot(store: EventStore, first: AfterAppend | None) -> AfterAppend | None:
    """The erased stream's snapshot goes in the erasure's transaction (its sealed copies)."""
    if store.snapshots is None:
        return first

    async def forget(conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if first is not None:
            await first(conn, envelopes)
        for stream in {e.stream_id for e in envelopes}:
            await store.snapshots.forget(stream, conn)

    return forget


def _stores(rt: Runtime) -> tuple[EventStore, KeyStore]:
    """A service that keeps data subjects has both an event store and a key store."""
    assert rt.store is not None and rt.keys is not None, "a write service keeps both"
    return rt.store, rt.keys


async def erase(
    rt: Runtime,
    who: Principal,
    ctx: CommandContext,
    decider: Decider[C, S],
    aggregate_id: str,
    command: C,
    *,
    station_id: str,
    subject: str,
    answer: Callable[[list[Envelope], S], Answer],
    checked: bool = False,
    refuse_erased: bool = True,
    expected_version: int | None = None,
    after_append: AfterAppend | None = None,
) -> JSONResponse:
    """Erase one data subject: scope, not erased yet (409), then the decider's erasure event
    appended with the subject's key destroyed in the same transaction.

    `checked`: the route checked a scope of its own. `refuse_erased=False`: the decider refuses
    an erased subject under its own rule (and a retry still gets its remembered answer).
    `after_append` runs in the same transaction, before the key goes."""
    store, keys = _stores(rt)
    if not checked:
        await rt.stations.check_write(who, station_id)
    if refuse_erased:
        await pipl.require_not_erased(keys, subject)
    done = await handle(
        store,
        decider,
        aggregate_id,
        command,
        station_id=station_id,
        ctx=ctx,
        respond=answer,
        expected_version=expected_version,
        after_append=_then_destroy(
            _unsnapshot(store, after_append), pipl.destroy_key(keys, subject)
        ),
    )
    return respond(done)


async def export(
    rt: Runtime,
    who: Principal,
    station_id: str,
    subject: str,
    stream_ids: list[str],
    found: Callable[[], Awaitable[None]] | None = None,
    *,
    checked: bool = False,
) -> dict[str, Any]:
    """A subject's copy of their data: scope (unless the route `checked` a scope of its own),
    then `found` (raises the 404 of an unknown record), not erased (409), their streams opened."""
    store, keys = _stores(rt)
    if not checked:
        await rt.stations.check_read(who, station_id)
    if found is not None:
        await found()
    return await pipl.export(store, keys, subject, stream_ids)

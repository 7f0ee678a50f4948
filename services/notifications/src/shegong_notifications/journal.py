"""Appending this service's own events from inside a transaction it already holds (the
planner's batch, a delivery's attempt), so the audit commits with what it records."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_runtime.eventstore import EventStore

from shegong_notifications.schema import S

ACTOR = "notifications"


async def append(
    conn: asyncpg.Connection,
    event: DomainEvent,
    aggregate_id: str,
    station_id: str,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> Envelope:
    store = EventStore(conn, S)  # type: ignore[arg-type]  # a connection answers what the store asks
    stream_id = f"{event.aggregate_type}-{aggregate_id}"
    version = await store.version(stream_id, conn)
    envelope = Envelope.wrap(
        event,
        aggregate_id=aggregate_id,
        station_id=station_id,
        actor=ACTOR,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    (stored,) = await store.append(stream_id, [envelope], version, conn=conn)
    return stored

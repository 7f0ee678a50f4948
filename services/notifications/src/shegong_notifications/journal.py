"""The service's own events, recorded from inside a transaction it already holds (the planner's
batch, a delivery's attempt) through the one command path, so the audit commits with what it
records and the deciders decide here as they do for people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from shegong_events import Envelope
from shegong_runtime import logging
from shegong_runtime.commands import Answer, CommandContext, Order, send
from shegong_runtime.decider import Decider
from shegong_runtime.eventstore import EventStore

from shegong_notifications.tables import S

ACTOR = "notifications"
C = TypeVar("C")


class HeldStore(EventStore):
    """The event store on a connection whose transaction the caller holds: a command appends
    in a savepoint of it, and commits when the caller does."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        super().__init__(conn, S)
        self.conn = conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.conn.transaction():
            yield self.conn


def _recorded(envelopes: list[Envelope], state: Any) -> Answer:
    return Answer(200, {"events": [e.event_type for e in envelopes]})


async def record(
    conn: asyncpg.Connection,
    decider: Decider[C, Any],
    aggregate_id: str,
    command: C,
    *,
    station_id: str,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> None:
    """Decide `command` on the aggregate and append what it decides, in `conn`'s transaction."""
    ctx = CommandContext(
        actor=ACTOR,
        correlation_id=correlation_id,  # type: ignore[arg-type]  # None: the event id correlates
        causation_id=causation_id,
    )
    with logging.bound(causation_id=str(causation_id)):  # the cause is this command's only
        order = Order(decider, aggregate_id, command, _recorded, station_id=station_id)
        await send(HeldStore(conn), order, ctx)

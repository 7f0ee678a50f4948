"""The one projection API: a read model declares its tables and a handler per event type.

    HANDLERS = {OrgFiled: org_filed, OrgFilingApproved: org_approved}

    class Organisations(ReadModel):
        name, domains, ddl = "registry_organisations", ("registry",), DDL
        handlers = Handlers(HANDLERS)

A handler is `async (conn, schema, envelope, event)` and writes rows from the event alone. The
runtime delivers each aggregate's events in order and once in effect (`projection`), so a
handler never checks versions or order itself; an event type without a handler is a fact this
read model does not show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import asyncpg
from shegong_events import CATALOG, DomainEvent, Envelope

from shegong_runtime.batching import Deferred, layers
from shegong_runtime.projection import Projection

Handler = Callable[[asyncpg.Connection, str, Envelope, Any], Awaitable[None]]


class Handlers:
    """Handlers by event model, looked up by the envelope's event type."""

    def __init__(self, *tables: Mapping[type[DomainEvent], Handler]) -> None:
        self.by_model: dict[type[DomainEvent], Handler] = {}
        for table in tables:
            self.by_model.update(table)
        self._by_type = {model.event_type: (model, h) for model, h in self.by_model.items()}

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._by_type)

    async def dispatch(self, conn: asyncpg.Connection, s: str, envelope: Envelope) -> bool:
        """Apply the envelope's handler, if this read model shows its fact; say whether it did."""
        known = self._by_type.get(envelope.event_type)
        if known is None:
            return False
        model, handler = known
        fact = CATALOG.decode(envelope)
        if not isinstance(fact, model):
            return False
        await handler(conn, s, envelope, fact)
        return True


class ReadModel(Projection):
    """A projection whose events go to their handlers (and to `first`, for rows every event adds)."""

    handlers: Handlers = Handlers()

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.name

    async def first(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """Rows every event of a batch adds, written for the whole batch in one statement before
        the handlers run (visits' timeline); nothing by default."""

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        await self.apply_batch(conn, s, [event])

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """`first`, then the handlers layer by layer (`batching`): a few round trips per layer,
        not one per statement; the rows are those of applying the events one by one."""
        await self.first(conn, s, events)
        for layer in layers(events):
            deferred = Deferred(conn)
            for event in layer:
                deferred.next_event()
                await self.handlers.dispatch(cast(asyncpg.Connection, deferred), s, event)
            await deferred.flush()

"""The registry's own read models: organisations with their timelines (`organisations.py`), and
station evaluations (`evaluations.py`). Each module declares its tables and one handler per
event type; events arrive in each aggregate's order, once, by the runtime's partitions and its
processed-ids tracking.

Personal data stays sealed here as in the events (`*_sealed` columns); the timeline keeps only
which personal fields changed, never their values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_runtime.projection import Projection

from shegong_registry.projections import evaluations, organisations

Handler = Callable[[asyncpg.Connection, str, Envelope, Any], Awaitable[None]]


class Handled(Projection):
    """A read model whose `HANDLERS` map each event model it shows to how it changes the tables."""

    domains = ("registry",)
    handlers: Mapping[type, Handler] = {}

    def __init__(self) -> None:
        self.by_type = {model.event_type: (model, h) for model, h in self.handlers.items()}

    async def apply(self, conn: asyncpg.Connection, s: str, envelope: Envelope) -> None:
        known = self.by_type.get(envelope.event_type)
        if known is None:  # a fact this model does not show
            return
        model, handler = known
        fact = CATALOG.decode(envelope)
        if isinstance(fact, model):
            await handler(conn, s, envelope, fact)


class Organisations(Handled):
    name = "registry_organisations"
    ddl = organisations.DDL
    handlers = organisations.HANDLERS


class Evaluations(Handled):
    name = "registry_evaluations"
    ddl = evaluations.DDL
    handlers = evaluations.HANDLERS

"""The engagement service's own read models: meetings and their deliberation (`meetings.py`),
volunteers and their hours (`volunteers.py`); handlers per event type, declared tables.

Columns carry the events' field names, so a row is the event's fields plus its ids. The
runtime delivers each aggregate's events in order and once (partition order, processed ids);
the handlers rely on nothing else.
"""

from __future__ import annotations

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_runtime.projection import Projection

from shegong_engagement.projections import meetings, volunteers

HANDLERS = {**meetings.HANDLERS, **volunteers.HANDLERS}
BY_TYPE = {model.event_type: (model, handler) for model, handler in HANDLERS.items()}
TABLES = meetings.TABLES + volunteers.TABLES


class EngagementViews(Projection):
    name = "engagement_views"
    domains = ("engagement",)
    ddl = meetings.DDL + volunteers.DDL

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        known = BY_TYPE.get(event.event_type)
        if known is None:  # a fact the read models do not show
            return
        model, handler = known
        fact = CATALOG.decode(event)
        if isinstance(fact, model):
            await handler(conn, s, event, fact)

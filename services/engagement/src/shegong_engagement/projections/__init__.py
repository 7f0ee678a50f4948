"""The engagement service's own read models: meetings and their deliberation (`meetings.py`),
volunteers and their hours (`volunteers.py`); handlers per event type, declared tables.

Columns carry the events' field names, so a row is the event's fields plus its ids. The
runtime delivers each aggregate's events in order and once (partition order, processed ids);
the handlers rely on nothing else.
"""

from __future__ import annotations

from shegong_runtime.read_models import Handlers, ReadModel

from shegong_engagement.projections import meetings, volunteers

HANDLERS = {**meetings.HANDLERS, **volunteers.HANDLERS}
TABLES = meetings.TABLES + volunteers.TABLES


class EngagementViews(ReadModel):
    name = "engagement_views"
    domains = ("engagement",)
    ddl = meetings.DDL + volunteers.DDL
    handlers = Handlers(HANDLERS)

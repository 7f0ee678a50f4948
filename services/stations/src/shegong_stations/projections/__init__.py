"""The station board: one read model of every station's work, fed by the visits, registry and
engagement streams. Each domain's facts land in their own tables (`registry.py`,
`visits.py`, `engagement.py`); counts per station, district and city are taken at query time
(`shegong_stations.queries`), so the order in which the three streams arrive does not matter.

Rows depend on the events alone (no clocks, no sequence numbers), so a rebuild from history
equals the live model row for row.
"""

from __future__ import annotations

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_runtime.projection import Projection

from shegong_stations.projections import engagement, registry, visits

HANDLERS = {**registry.HANDLERS, **visits.HANDLERS, **engagement.HANDLERS}
BY_TYPE = {model.event_type: (model, handler) for model, handler in HANDLERS.items()}
TABLES = registry.TABLES + visits.TABLES + engagement.TABLES


class StationBoard(Projection):
    name = "stations_board"
    domains = ("registry", "visits", "engagement")
    ddl = registry.DDL + visits.DDL + engagement.DDL

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.name

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        known = BY_TYPE.get(event.event_type)
        if known is None:  # a fact the board does not show
            return
        model, handler = known
        fact = CATALOG.decode(event)
        if isinstance(fact, model):
            await handler(conn, s, event, fact)


BOARD = StationBoard()

"""The station board: one read model of every station's work, fed by the visits, registry and
engagement streams. Each domain's facts land in their own tables (`registry.py`,
`visits.py`, `engagement.py`); the counts the board reads often (households, visits, needs, volunteer
hours, per station and day) are kept beside them by triggers, the rest are taken at query time
(`shegong_stations.queries`), so the order in which the three streams arrive does not matter.

Rows depend on the events alone (no clocks, no sequence numbers), so a rebuild from history
equals the live model row for row.
"""

from __future__ import annotations

import asyncpg
from shegong_events import Envelope
from shegong_runtime.read_models import Handlers, ReadModel

from shegong_stations.projections import engagement, registry, visits

HANDLERS = {**registry.HANDLERS, **visits.HANDLERS, **engagement.HANDLERS}
TABLES = registry.TABLES + visits.TABLES + engagement.TABLES


class StationBoard(ReadModel):
    name = "stations_board"
    domains = ("registry", "visits", "engagement")
    ddl = registry.DDL + visits.DDL + engagement.DDL

    handlers = Handlers(HANDLERS)

    async def first(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """The counters are rows per station, written by triggers from every partition's
        transaction at once: a batch first takes its stations' locks in one order, so two
        partitions never wait on each other's counters in opposite orders (a deadlock, then
        the whole batch again). Keyed by the generation's schema: a rebuild never waits on
        the live generation."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || station_id, 0)) "
            "FROM (SELECT DISTINCT station_id FROM unnest($2::text[]) AS station_id "
            "ORDER BY station_id) AS ordered",
            s,
            sorted({e.station_id for e in events}),
        )


BOARD = StationBoard()

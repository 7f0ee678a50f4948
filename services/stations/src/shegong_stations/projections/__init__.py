"""The station board: one read model of every station's work, fed by the visits, registry and
engagement streams. Each domain's facts land in their own tables (`registry.py`,
`visits.py`, `engagement.py`); counts per station, district and city are taken at query time
(`shegong_stations.queries`), so the order in which the three streams arrive does not matter.

Rows depend on the events alone (no clocks, no sequence numbers), so a rebuild from history
equals the live model row for row.
"""

from __future__ import annotations

from shegong_runtime.read_models import Handlers, ReadModel

from shegong_stations.projections import engagement, registry, visits

HANDLERS = {**registry.HANDLERS, **visits.HANDLERS, **engagement.HANDLERS}
TABLES = registry.TABLES + visits.TABLES + engagement.TABLES


class StationBoard(ReadModel):
    name = "stations_board"
    domains = ("registry", "visits", "engagement")
    ddl = registry.DDL + visits.DDL + engagement.DDL

    handlers = Handlers(HANDLERS)


BOARD = StationBoard()

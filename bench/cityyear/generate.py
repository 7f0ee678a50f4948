"""Generate the year station by station, streaming: only one station's aggregates are held,
and each service's events leave in COPY batches as they are decided."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import asyncpg
from shegong_notifications import tables as notifications_tables
from shegong_registry import registers
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings

from cityyear.engagement import EngagementYear
from cityyear.notifications import NotificationsYear
from cityyear.plan import Sizes, Year, stations
from cityyear.registry import RegistryYear
from cityyear.sink import HistoryKeys, Sink
from cityyear.visits import VisitsYear

SERVICES = ("registry", "visits", "engagement", "notifications")


@dataclass
class Generated:
    stations: int
    events: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.events.values())


def default_end() -> date:
    """Yesterday: every fact of the year lies in the past, and overdue visits are overdue now."""
    return (datetime.now(UTC) - timedelta(days=1)).date()


async def generate(
    database_url: str,
    station_count: int,
    scale: float = 1.0,
    seed: int = 2024,
    end: date | None = None,
    batch: int = 5000,
    progress=None,
) -> Generated:
    year, sizes = Year(end or default_end()), Sizes().scaled(scale)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    try:
        sinks: dict[str, Sink] = {}
        for name in SERVICES:
            store = EventStore(pool, name)
            await store.migrate()
            keys = HistoryKeys(pool, name, Settings(service=name).master_key)
            await keys.migrate()
            sinks[name] = Sink(store, keys, batch)
        await registers.migrate(SimpleNamespace(pool=pool))  # type: ignore[arg-type]  # reads only .pool
        await notifications_tables.ensure(pool)  # the rulebook and directory, kept in step
        registry = RegistryYear(sinks["registry"], sinks["registry"].keys, year, seed)
        visits = VisitsYear(sinks["visits"], sinks["visits"].keys, year, seed)
        engagement = EngagementYear(sinks["engagement"], sinks["engagement"].keys, year, seed)
        notifications = NotificationsYear(
            sinks["notifications"], sinks["notifications"].keys, year, seed
        )
        started = time.perf_counter()
        for station in stations(station_count):
            for sink in sinks.values():
                sink.keys.station = station.station_id
            await registry.open(station)
            await notifications.station(station, sizes)
            teams = await registry.organisations(station, sizes)
            await visits.station(station, sizes)
            await engagement.station(station, sizes, teams)
            registry.forget()
            for sink in sinks.values():
                await sink.flush()
                sink.keys.forget()
            if progress is not None:
                progress(station, {n: s.written for n, s in sinks.items()})
        return Generated(
            station_count,
            {name: sink.written for name, sink in sinks.items()},
            time.perf_counter() - started,
        )
    finally:
        await pool.close()

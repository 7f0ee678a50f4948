"""The station aggregate: opened once, then updated."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationOpened, StationUpdated
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, NotFound


class StationAlreadyOpened(Conflict):
    """A station id can be opened only once."""


class StationNotOpened(NotFound):
    """The station has not been opened."""


@dataclass(frozen=True)
class Station:
    opened: bool = False
    name: str = ""
    district_id: str = ""


class StationAggregate(Aggregate[Station]):
    aggregate_type = "station"

    def initial(self) -> Station:
        return Station()

    def evolve(self, state: Station, event: DomainEvent, envelope: Envelope) -> Station:
        if isinstance(event, StationOpened):
            return Station(True, event.name, event.district_id)
        if isinstance(event, StationUpdated):
            return replace(state, name=event.name or state.name)
        return state


def open_station(state: Station, event: StationOpened) -> list[DomainEvent]:
    if state.opened:
        raise StationAlreadyOpened(
            f"station {event.station_id} is already open", field="station_id"
        )
    return [event]


def update_station(state: Station, station_id: str, event: StationUpdated) -> list[DomainEvent]:
    if not state.opened:
        raise StationNotOpened(f"station {station_id} has not been opened")
    return [event]

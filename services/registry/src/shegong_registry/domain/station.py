"""A social work station: opened once by the city bureau, then updated; its lead's and contact's
personal data (sealed before it reaches a command) can be erased while the station stays."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import (
    StationContactErased,
    StationKind,
    StationOpened,
    StationUpdated,
)
from shegong_runtime.decider import Decider
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


@dataclass(frozen=True, kw_only=True)
class OpenStation:
    station_id: str
    name: str
    city: str
    district_id: str
    district_name: str
    street: str
    kind: StationKind
    lead_sealed: str | None = None
    contact_sealed: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateStation:
    """Fields left None stay as they are."""

    station_id: str
    name: str | None = None
    lead_sealed: str | None = None
    contact_sealed: str | None = None


@dataclass(frozen=True, kw_only=True)
class EraseStationContact:
    """PIPL: the lead's and contact's key goes with the event; the station stays."""

    station_id: str
    reason: str
    erased_at: datetime


Command = OpenStation | UpdateStation | EraseStationContact


def must_be_open(state: Station, station_id: str) -> None:
    if not state.opened:
        raise StationNotOpened(f"社工站 {station_id} 尚未开设")


class StationDecider(Decider[Command, Station]):
    aggregate_type = "station"

    def initial(self) -> Station:
        return Station()

    def decide(self, command: Command, state: Station) -> list[DomainEvent]:
        match command:
            case OpenStation():
                if state.opened:
                    raise StationAlreadyOpened(
                        f"社工站 {command.station_id} 已开设", field="station_id"
                    )
                return [
                    StationOpened(
                        station_id=command.station_id,
                        name=command.name,
                        city=command.city,
                        district_id=command.district_id,
                        district_name=command.district_name,
                        street=command.street,
                        kind=command.kind,
                        lead_sealed=command.lead_sealed,
                        contact_sealed=command.contact_sealed,
                    )
                ]
            case UpdateStation():
                must_be_open(state, command.station_id)
                return [
                    StationUpdated(
                        name=command.name,
                        lead_sealed=command.lead_sealed,
                        contact_sealed=command.contact_sealed,
                    )
                ]
            case EraseStationContact(reason=reason, erased_at=erased_at):
                must_be_open(state, command.station_id)
                return [StationContactErased(reason=reason, erased_at=erased_at)]
        raise TypeError(f"not a station command: {command!r}")

    def evolve(self, state: Station, event: DomainEvent, envelope: Envelope) -> Station:
        if isinstance(event, StationOpened):
            return Station(True, event.name, event.district_id)
        if isinstance(event, StationUpdated):
            return replace(state, name=event.name or state.name)
        return state


STATION = StationDecider()

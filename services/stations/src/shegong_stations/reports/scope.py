"""Which stations a monthly report covers: one station, a district, or the city."""

from __future__ import annotations

from shegong_runtime.auth import Principal

from shegong_stations.entrypoints.http.scope import roundup_scope
from shegong_stations.queries import directory
from shegong_stations.queries.directory import Station


def report_scope(
    who: Principal, everyone: list[Station], station_id: str | None, district: str | None
) -> tuple[str, list[Station]]:
    """(name of the scope, its stations); out of the caller's scope is 403."""
    if station_id:
        who.require_station(station_id, directory.district_of(everyone))
        station = directory.find(everyone, station_id)
        return station.name, [station]
    return roundup_scope(who, everyone, district)

"""Which station or district a request speaks for, and whether the caller reaches it.

Stations go through the kit's one check (`rt.stations.check_write`, `Principal.can_see`); what
is the service's own is the district: district-wide rules and district officers.
"""

from __future__ import annotations

from typing import Any

from shegong_runtime.auth import Principal
from shegong_runtime.commands import Scope
from shegong_runtime.errors import DomainError
from shegong_runtime.service import Runtime


class UnknownDistrict(DomainError):
    """No station the registry opened lies in this district."""


class ScopeRequired(DomainError):
    """Name exactly one of station_id and district_id."""


def envelope_station(station_id: str | None, district_id: str | None) -> str:
    """Events about a district-wide rule or officer are filed under `district-<id>`."""
    return station_id if station_id else f"district-{district_id}"


async def check_write(
    rt: Runtime, who: Principal, station_id: str | None, district_id: str | None
) -> None:
    """A write's scope: a known station the caller writes for, or a known district they oversee."""
    if (station_id is None) == (district_id is None):
        raise ScopeRequired(
            "社工站（station_id）和区县（district_id）须且只能填一个", field="station_id"
        )
    if station_id is not None:
        await rt.stations.check_write(who, station_id)
        return
    assert district_id is not None
    if district_id not in set((await rt.stations.all()).values()):
        raise UnknownDistrict(f"未知的区县 {district_id!r}", field="district_id")
    who.require_district(district_id)


def writes(rt: Runtime, station_id: str | None, district_id: str | None) -> Scope[Any]:
    """`check_write` as an order's `scope`: checked by the command request, after the load."""

    async def check(who: Principal, _state: Any) -> None:
        await check_write(rt, who, station_id, district_id)

    return check


def reaches(rt: Runtime, station_id: str) -> Scope[Any]:
    """The caller's reach over a station as an order's `scope`: operators re-drive deliveries
    but record nothing else, so a reach, not a writer's scope."""

    async def check(who: Principal, _state: Any) -> None:
        await rt.stations.refresh()
        who.require_station(station_id, rt.stations.district_of)

    return check


def can_read(rt: Runtime, who: Principal, station_id: str | None, district_id: str | None) -> bool:
    """Reads: a station the caller sees, or a district they oversee or have a station in."""
    if station_id:
        return who.can_see(station_id, rt.stations.district_of)
    if who.may_read_district(district_id):
        return True
    return any(rt.stations.district_of(s) == district_id for s in who.stations)

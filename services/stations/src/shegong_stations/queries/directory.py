"""Which stations and districts exist on the board, and which of them a caller may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from shegong_runtime import generations, paging
from shegong_runtime.auth import Principal
from shegong_runtime.errors import NotFound

from shegong_stations.projections import BOARD


class UnknownStationOnBoard(NotFound):
    """The board has not (yet) learned this station from the registry."""


class UnknownDistrict(NotFound):
    """No station of the board lies in this district."""


@dataclass(frozen=True)
class Station:
    station_id: str
    name: str
    city: str
    district_id: str
    district_name: str
    street: str
    kind: str


async def schema(pool: asyncpg.Pool) -> str:
    return await generations.live_schema(pool, BOARD.name)


async def stations(pool: asyncpg.Pool) -> list[Station]:
    s = await schema(pool)
    try:
        rows = await pool.fetch(
            f"SELECT station_id, name, city, district_id, district_name, street, kind FROM {s}.stations "
            "ORDER BY district_id, station_id"
        )
    except asyncpg.UndefinedTableError:  # the board's first generation is still being created
        rows = []
    return [Station(**dict(r)) for r in rows]


ORDER = paging.Keyset.of("stations", "district_id:text", "station_id:text")


def visible(who: Principal, all_stations: list[Station]) -> list[Station]:
    district = {st.station_id: st.district_id for st in all_stations}
    return [st for st in all_stations if who.can_see(st.station_id, district.get)]


def find(all_stations: list[Station], station_id: str) -> Station:
    for st in all_stations:
        if st.station_id == station_id:
            return st
    raise UnknownStationOnBoard(f"看板上没有社工站 {station_id!r}", field="station_id")


def district(all_stations: list[Station], district_id: str) -> list[Station]:
    found = [st for st in all_stations if st.district_id == district_id]
    if not found:
        raise UnknownDistrict(f"看板上没有区县 {district_id!r} 的社工站", field="district_id")
    return found


def district_of(all_stations: list[Station]) -> Callable[[str], str | None]:
    mapping = {st.station_id: st.district_id for st in all_stations}
    return mapping.get

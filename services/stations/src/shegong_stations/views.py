"""What the routes read: a station's summary, a district's and the city's roll-ups, completeness
side by side, the roundup and the charts' trends, each read in one snapshot of the board."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import date

import asyncpg
from shegong_runtime.auth import Principal
from shegong_runtime.paging import PageRequest, slice_of_list

from shegong_stations.completeness import DIMENSIONS, completeness
from shegong_stations.periods import Span, weeks_back
from shegong_stations.queries import directory, figures, trends
from shegong_stations.queries.directory import Station
from shegong_stations.queries.roundup_facts import gather
from shegong_stations.roundup import Roundup, build


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """One consistent read of the board: every query of a page sees the same events."""
    s = await directory.schema(pool)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn, s


async def stations(
    pool: asyncpg.Pool, chosen: list[Station], on: date, urgent_limit: int = 50
) -> list[dict]:
    """One summary per chosen station, in the order given."""
    ids = [st.station_id for st in chosen]
    async with snapshot(pool) as (conn, s):
        figs = await figures.figures(conn, s, ids, on)
        evaluations = await figures.latest_evaluations(conn, s, ids, on)
        urgent = await figures.urgent_needs(conn, s, ids, on, urgent_limit)
    return [
        {
            "station": asdict(st),
            "on": on,
            "figures": figs[st.station_id],
            "completeness": completeness(figs[st.station_id]["records"]),
            "evaluation": evaluations.get(st.station_id),
            "urgent_needs": [n for n in urgent if n["station_id"] == st.station_id],
        }
        for st in chosen
    ]


async def station(
    pool: asyncpg.Pool, who: Principal, station_id: str, on: date, urgent_limit: int = 50
) -> dict:
    """One station's summary; the scope is checked before the lookup, so an id outside it
    answers 403 whether or not the board knows the station."""
    everyone = await directory.stations(pool)
    who.require_station(station_id, directory.district_of(everyone))
    (one,) = await stations(pool, [directory.find(everyone, station_id)], on, urgent_limit)
    return one


async def district(pool: asyncpg.Pool, district_id: str, on: date, urgent_limit: int = 50) -> dict:
    """A district's roll-up over its stations on the board (the caller's access checked before)."""
    chosen = directory.district(await directory.stations(pool), district_id)
    scope = {
        "kind": "district",
        "district_id": district_id,
        "name": chosen[0].district_name,
        "city": chosen[0].city,
    }
    return rollup(scope, await stations(pool, chosen, on, urgent_limit), on)


async def city(pool: asyncpg.Pool, on: date, urgent_limit: int = 50) -> dict:
    """Every station on the board added up (the caller's access checked before)."""
    everyone = await directory.stations(pool)
    name = everyone[0].city if everyone else ""
    scope = {"kind": "city", "name": name, "city": name}
    return rollup(scope, await stations(pool, everyone, on, urgent_limit), on)


def rollup(scope: dict, parts: list[dict], on: date) -> dict:
    """District or city: the stations' figures added up, their evaluations side by side."""
    total = figures.merge([p["figures"] for p in parts])
    evaluated = [p for p in parts if p["evaluation"]]
    averages = (
        {
            dim: round(
                sum(p["evaluation"]["scores"].get(dim, 0) for p in evaluated) / len(evaluated), 1
            )
            for dim in DIMENSIONS
        }
        if evaluated
        else {}
    )
    return {
        "scope": scope,
        "on": on,
        "figures": total,
        "completeness": completeness(total["records"]),
        "evaluations": {
            "evaluated": len(evaluated),
            "stations": len(parts),
            "average_scores": averages,
            "exemplary": [
                p["station"]["station_id"] for p in evaluated if p["evaluation"]["exemplary"]
            ],
        },
        "urgent_needs": [n for p in parts for n in p["urgent_needs"]],
        "stations": parts,
    }


async def completeness_side_by_side(
    pool: asyncpg.Pool, who: Principal, district_id: str | None, on: date, page: PageRequest
) -> tuple[list[dict], str | None]:
    """Documentation completeness of a page of the visible stations, for a peer exchange."""
    mine = directory.visible(who, await directory.stations(pool))
    if district_id:
        mine = [st for st in mine if st.district_id == district_id]
    chosen, after = slice_of_list(mine, directory.ORDER, page)
    return [
        {"station": p["station"], "completeness": p["completeness"], "evaluation": p["evaluation"]}
        for p in await stations(pool, chosen, on)
    ], after


async def roundup(
    pool: asyncpg.Pool, scope: str, chosen: list[Station], everyone: list[Station], span: Span
) -> Roundup:
    """The roundup of a scope (the city or a district) over a span."""
    async with snapshot(pool) as (conn, s):
        facts = await gather(conn, s, [st.station_id for st in chosen], span)
    return build(scope, span, {st.station_id: st.name for st in everyone}, facts)


@dataclass(frozen=True)
class Trends:
    """What the charts draw beyond the figures, per station."""

    weeks: list[Span]
    visits: dict[str, list[int]]  # station -> visits in each week, oldest first
    needs: dict[str, dict[str, dict[str, int]]]  # station -> category -> severity -> open
    filings: dict[str, dict[str, int]]  # station -> filing status -> organisations

    def needs_total(self) -> dict[str, dict[str, int]]:
        """Open needs of all the stations: category -> severity -> count."""
        total: dict[str, dict[str, int]] = {}
        for per_category in self.needs.values():
            for category, by_severity in per_category.items():
                _add(total.setdefault(category, {}), by_severity)
        return total

    def filings_total(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for by_status in self.filings.values():
            _add(total, by_status)
        return total


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


async def trends_of(pool: asyncpg.Pool, chosen: list[Station], on: date, weeks: int) -> Trends:
    ids = [st.station_id for st in chosen]
    async with snapshot(pool) as (conn, s):
        visits = await trends.weekly_visits(conn, s, ids, on, weeks)
        needs = await trends.open_needs(conn, s, ids, on)
        filings = await trends.filings(conn, s, ids)
    return Trends(weeks_back(on, weeks), visits, needs, filings)

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
from shegong_stations.queries import directory, figures, held, trends
from shegong_stations.queries.directory import Station
from shegong_stations.queries.roundup_facts import gather
from shegong_stations.roundup import Roundup, build


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """One consistent read of the board: every query of a page sees the same events."""
    s = await directory.schema(pool)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn, s


@dataclass(frozen=True)
class Read:
    """A scope's stations read in one snapshot: each one's figures, its latest evaluation, and
    the scope's oldest urgent needs (one query, at most `urgent_limit` over the whole scope)."""

    on: date
    figures: dict[str, dict]
    evaluations: dict[str, dict]
    urgent: list[dict]

    def summary(self, st: Station) -> dict:
        figs = self.figures[st.station_id]
        return {
            "station": asdict(st),
            "on": self.on,
            "figures": figs,
            "completeness": completeness(figs["records"]),
            "evaluation": self.evaluations.get(st.station_id),
            "urgent_needs": [n for n in self.urgent if n["station_id"] == st.station_id],
        }


async def read(pool: asyncpg.Pool, chosen: list[Station], on: date, urgent_limit: int = 50) -> Read:
    """The stations' figures as the board holds them now: counted once per board version
    (`held`), so many readers of a city's totals between two batches share one count."""
    ids = [st.station_id for st in chosen]
    async with snapshot(pool) as (conn, s):

        async def count() -> Read:
            figs = await figures.figures(conn, s, ids, on)
            evaluations = await figures.latest_evaluations(conn, s, ids, on)
            urgent = await figures.urgent_needs(conn, s, ids, on, urgent_limit)
            return Read(on, figs, evaluations, urgent)

        key = (s, await held.version(conn, s), tuple(ids), on, urgent_limit)
        return await held.FIGURES.get(key, count)


async def stations(
    pool: asyncpg.Pool, chosen: list[Station], on: date, urgent_limit: int = 50
) -> list[dict]:
    """One summary per chosen station, in the order given."""
    found = await read(pool, chosen, on, urgent_limit)
    return [found.summary(st) for st in chosen]


async def station(
    pool: asyncpg.Pool, who: Principal, station_id: str, on: date, urgent_limit: int = 50
) -> dict:
    """One station's summary; the scope is checked before the lookup, so an id outside it
    answers 403 whether or not the board knows the station."""
    everyone = await directory.stations(pool)
    who.require_station(station_id, directory.district_of(everyone))
    (one,) = await stations(pool, [directory.find(everyone, station_id)], on, urgent_limit)
    return one


async def district(
    pool: asyncpg.Pool, district_id: str, on: date, page: PageRequest, urgent_limit: int = 50
) -> tuple[dict, str | None]:
    """A district's roll-up over its stations on the board (the caller's access checked
    before), with a page of its stations."""
    chosen = directory.district(await directory.stations(pool), district_id)
    scope = {
        "kind": "district",
        "district_id": district_id,
        "name": chosen[0].district_name,
        "city": chosen[0].city,
    }
    return await scoped(pool, scope, chosen, on, page, urgent_limit)


async def city(
    pool: asyncpg.Pool, on: date, page: PageRequest, urgent_limit: int = 50
) -> tuple[dict, str | None]:
    """Every station on the board added up (the caller's access checked before), with a page
    of the stations."""
    everyone = await directory.stations(pool)
    name = everyone[0].city if everyone else ""
    scope = {"kind": "city", "name": name, "city": name}
    return await scoped(pool, scope, everyone, on, page, urgent_limit)


async def scoped(
    pool: asyncpg.Pool,
    scope: dict,
    chosen: list[Station],
    on: date,
    page: PageRequest,
    urgent_limit: int = 50,
) -> tuple[dict, str | None]:
    """The roll-up of `chosen` and the summaries of a page of them: the totals add up every
    station's counts (rows of the board's counters), but only the page's stations are
    summarised and answered, so a city of a thousand stations answers a page's size."""
    shown, after = slice_of_list(chosen, directory.ORDER, page)
    found = await read(pool, chosen, on, urgent_limit)
    return rollup(scope, found, [found.summary(st) for st in shown]), after


def rollup(scope: dict, found: Read, shown: list[dict]) -> dict:
    """District or city: every station's figures added up, their evaluations side by side,
    and the summaries of the stations shown."""
    total = figures.merge(list(found.figures.values()))
    evaluated = [found.evaluations[sid] for sid in found.figures if sid in found.evaluations]
    averages = (
        {
            dim: round(sum(e["scores"].get(dim, 0) for e in evaluated) / len(evaluated), 1)
            for dim in DIMENSIONS
        }
        if evaluated
        else {}
    )
    return {
        "scope": scope,
        "on": found.on,
        "figures": total,
        "completeness": completeness(total["records"]),
        "evaluations": {
            "evaluated": len(evaluated),
            "stations": len(found.figures),
            "average_scores": averages,
            "exemplary": [
                sid for sid in found.figures if found.evaluations.get(sid, {}).get("exemplary")
            ],
        },
        "urgent_needs": [
            n for sid in found.figures for n in found.urgent if n["station_id"] == sid
        ],
        "items": shown,
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

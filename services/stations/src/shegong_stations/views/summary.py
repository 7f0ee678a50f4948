"""A station's page, a district's and the city's: figures, completeness, evaluation, urgent needs."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import asyncpg
from shegong_runtime.auth import Principal

from shegong_stations.completeness import DIMENSIONS, completeness
from shegong_stations.views import directory, figures
from shegong_stations.views.directory import Station


async def stations(pool: asyncpg.Pool, chosen: list[Station], on: date) -> list[dict]:
    """One summary per chosen station, in the order given."""
    s = await directory.schema(pool)
    ids = [st.station_id for st in chosen]
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        figs = await figures.figures(conn, s, ids, on)
        evaluations = await figures.latest_evaluations(conn, s, ids, on)
        urgent = await figures.urgent_needs(conn, s, ids, on)
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


async def station(pool: asyncpg.Pool, who: Principal, station_id: str, on: date) -> dict:
    """One station's summary; the scope is checked before the lookup, so an id outside it
    answers 403 whether or not the board knows the station."""
    everyone = await directory.stations(pool)
    who.require_station(station_id, directory.district_of(everyone))
    (one,) = await stations(pool, [directory.find(everyone, station_id)], on)
    return one


async def district(pool: asyncpg.Pool, district_id: str, on: date) -> dict:
    """A district's roll-up over its stations on the board (the caller's access checked before)."""
    chosen = directory.district(await directory.stations(pool), district_id)
    scope = {
        "kind": "district",
        "district_id": district_id,
        "name": chosen[0].district_name,
        "city": chosen[0].city,
    }
    return rollup(scope, await stations(pool, chosen, on), on)


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

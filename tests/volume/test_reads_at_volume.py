"""Reads stay flat (DESIGN.md guarantee 12): a generated history is loaded through the relays,
streams and projections; every GET route of every service's OpenAPI is called as a city admin
with real ids from it, and each SELECT it ran is explained. A sequential scan over a table of
more than LARGE rows that the planner cannot avoid fails the test, naming route and statement.

Size: SHEGONG_VOLUME_STATIONS stations at SHEGONG_VOLUME_SCALE (default 12 at 0.1, ~25,000
events, a few minutes on two cores); `bench/history.py` generates the full year the same way.
"""

from __future__ import annotations

import os
import re
from typing import Any

import asyncpg
import httpx
import pytest
import statements
from cityyear.generate import generate
from cityyear.load import running, wait_settled
from cityyear.plan import stations
from shegong_runtime import auth
from shegong_runtime.settings import Settings

STATIONS = int(os.environ.get("SHEGONG_VOLUME_STATIONS", "12"))
SCALE = float(os.environ.get("SHEGONG_VOLUME_SCALE", "0.1"))
LARGE = 1000  # rows: a table this size is read by index or not at all
SKIP = {"/healthz", "/readyz", "/metrics"}
TEST_SETTINGS = {
    "projection_fetch_timeout_s": 0.2,
    "relay_idle_poll_s": 0.02,
    "database_pool_size": 3,
    "log_json": True,
}


async def real_ids(database_url: str) -> dict[str, Any]:
    """Path and query values from the generated year: the station with the most households
    events, its busiest household, first meeting, volunteer and organisation."""
    first = stations(STATIONS)[0]
    conn = await asyncpg.connect(database_url)
    try:
        household = await conn.fetchval(
            "SELECT aggregate_id FROM visits.events WHERE station_id = $1 "
            "GROUP BY aggregate_id ORDER BY count(*) DESC LIMIT 1",
            first.station_id,
        )
        meeting = await conn.fetchval(
            "SELECT aggregate_id FROM engagement.events WHERE station_id = $1 "
            "AND event_type = 'MeetingHeld' LIMIT 1",
            first.station_id,
        )
        volunteer = await conn.fetchval(
            "SELECT aggregate_id FROM engagement.events WHERE station_id = $1 "
            "AND event_type = 'VolunteerEnrolled' LIMIT 1",
            first.station_id,
        )
        organisation = await conn.fetchval(
            "SELECT aggregate_id FROM registry.events WHERE station_id = $1 "
            "AND event_type = 'OrgFiled' LIMIT 1",
            first.station_id,
        )
    finally:
        await conn.close()
    return {
        "station_id": first.station_id,
        "district_id": first.district_id,
        "district": first.district_id,
        "household_id": household,
        "meeting_id": meeting,
        "volunteer_id": volunteer,
        "organisation_id": organisation,
        "older_than_days": 30,
    }


def requests_of(app: Any, ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(route, path, query) for every GET of the app's OpenAPI, filled from `ids`: path
    parameters always (a made-up id where the year has none), query parameters when the
    year has a value for them (the station, its district)."""
    out = []
    for route, operations in app.openapi()["paths"].items():
        if "get" not in operations or route in SKIP:
            continue
        path, query = route, {}
        for p in operations["get"].get("parameters", []):
            name, where = p["name"], p["in"]
            if where == "path":
                path = path.replace("{" + name + "}", str(ids.get(name, f"none-{name}")))
            elif where == "query" and name in ids:
                query[name] = ids[name]
        out.append((route, path, query))
    return out


def next_page(response: httpx.Response) -> str | None:
    """The next page's URL from a `Link: <...>; rel="next"` header, if the route pages."""
    match = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("link", ""))
    return match.group(1) if match else None


@pytest.mark.timeout(900)
async def test_every_read_route_is_served_by_indexes_on_a_loaded_history(
    database_url, nats_url, monkeypatch
):
    done = await generate(database_url, STATIONS, SCALE, seed=7)
    assert done.events["visits"] > 10 * LARGE, done.events  # large enough to tell
    statements.install(monkeypatch)
    async with running(database_url, nats_url, **TEST_SETTINGS) as apps:
        await wait_settled(apps, timeout_s=600)
        ids = await real_ids(database_url)
        settings = Settings(service="volume")
        token = auth.issue(settings, "volume-reader", auth.Role.city_admin)
        ran: list[tuple[str, str, tuple[Any, ...]]] = []
        for name, app in apps.items():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                headers={"Authorization": f"Bearer {token}"},
            ) as client:
                for route, path, query in requests_of(app, ids):
                    with statements.recording() as seen:
                        r = await client.get(path, params=query)
                        if r.status_code == 200 and (more := next_page(r)):
                            await client.get(more)
                    assert r.status_code < 500, f"{name} {route}: {r.status_code} {r.text[:300]}"
                    ran += [(f"{name} GET {route}", q, a) for q, a in seen if statements.is_read(q)]
    assert len(ran) > 40, f"only {len(ran)} statements recorded"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("ANALYZE")
        sizes = {
            f"{r['nspname']}.{r['relname']}": r["reltuples"]
            for r in await conn.fetch(
                "SELECT n.nspname, c.relname, c.reltuples FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
            )
        }
        assert max(sizes.values()) > 10 * LARGE
        scans, explained = [], set()
        for route, query, args in ran:
            if (query, route) in explained:
                continue
            explained.add((query, route))
            for scan in await statements.unavoidable_seq_scans(conn, query, args, sizes, LARGE):
                scans.append(
                    f"{route}: seq scan of {scan.relation} ({scan.rows:,.0f} rows)\n    {' '.join(query.split())[:400]}"
                )
    finally:
        await conn.close()
    assert not scans, "reads that scan a large table:\n" + "\n".join(scans)

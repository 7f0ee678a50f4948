"""Reads stay flat (DESIGN.md guarantee 12): a generated history is loaded through the relays,
streams and projections; every GET route of every service's OpenAPI is called as a city admin
with real ids from it, and each SELECT it ran is explained. A sequential scan over a table of
more than LARGE rows that the planner cannot avoid fails the test, naming route and statement.

The year is the suite's small one (`year.py`: 8 stations at scale 0.1 by default, two minutes
on two quiet cores); `bench/history.py` generates the full year the same way. The reader is a
city admin signed in as the first station's lead, so the inbox read is a real one.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from cityyear.load import running, wait_settled
from cityyear.routes import next_page, reads, real_ids
from shegong_runtime import auth
from shegong_runtime.settings import Settings

from . import statements
from .year import STATIONS, TEST_SETTINGS

LARGE = 1000  # rows: a table this size is read by index or not at all


@pytest.mark.timeout(900)
async def test_every_read_route_is_served_by_indexes_on_a_loaded_history(
    database_url, nats_url, monkeypatch, volume_year
):
    assert volume_year.events["visits"] > 10 * LARGE, volume_year.events  # large enough to tell
    statements.install(monkeypatch)
    async with running(database_url, nats_url, **TEST_SETTINGS) as apps:
        await wait_settled(apps, timeout_s=600)
        ids = await real_ids(database_url, STATIONS)
        settings = Settings(service="volume")
        token = auth.issue(settings, ids["recipient_id"], auth.Role.city_admin)
        ran: list[tuple[str, str, tuple[Any, ...]]] = []
        for name, app in apps.items():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                headers={"Authorization": f"Bearer {token}"},
            ) as client:
                for route, path, params in reads(app, ids):
                    with statements.recording() as seen:
                        r = await client.get(path, params=params)
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
        # the detector itself: a sum over every session of the board is such a scan
        board = await conn.fetchval(
            "SELECT 'stations_board_g' || live FROM shegong_projections.generations "
            "WHERE projection = 'stations_board'"
        )
        control = f"SELECT sum(minutes) FROM {board}.volunteer_sessions WHERE activity = $1"
        assert await statements.unavoidable_seq_scans(conn, control, ("助老陪伴",), sizes, 100)
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

"""Rebuild beside the live read models and swap (guarantee 6); consumer lag on show."""

import re

from shegong_runtime import generations
from shegong_runtime.projection import rebuild
from shegong_stations.projections import BOARD, TABLES
from shegong_testing.fixtures import eventually

from .test_roundup import roundup_is_complete


async def snapshot(pool, schema):
    """Every row of every board table, in a stable order."""
    out = {}
    for table in TABLES:
        rows = await pool.fetch(f"SELECT * FROM {schema}.{table}")
        out[table] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


async def caught_up(board, admin):
    lag = (await board.get("/lag", headers=admin)).json()
    return lag["pending"] == 0 and all(c["running"] for c in lag["consumers"])


async def test_a_rebuild_equals_the_live_read_models(board, admin, demo_week, pool, nc, settings):
    await eventually(lambda: roundup_is_complete(board, admin))
    await eventually(lambda: caught_up(board, admin))
    old = await generations.live(pool, BOARD.name)
    live = await snapshot(pool, generations.schema_name(BOARD.name, old))
    assert live["stations"] and live["visits"] and live["meetings"]
    before = (
        await board.get(
            "/roundup", params={"start": "2024-03-16", "end": "2024-03-22"}, headers=admin
        )
    ).json()

    new = await rebuild(BOARD, pool, nc, settings, grace_s=1.0)

    assert new == old + 1 and await generations.live(pool, BOARD.name) == new
    assert await snapshot(pool, generations.schema_name(BOARD.name, new)) == live
    after = (
        await board.get(
            "/roundup", params={"start": "2024-03-16", "end": "2024-03-22"}, headers=admin
        )
    ).json()
    assert after == before
    # the running service follows the swap onto the new generation's consumers
    await eventually(lambda: _consumers_on(board, admin, new))


async def _consumers_on(board, admin, generation):
    lag = (await board.get("/lag", headers=admin)).json()
    return lag["consumers"] and all(
        c["generation"] == generation for c in lag["consumers"] if c["projection"] == BOARD.name
    )


async def test_consumer_lag_shows_in_the_api_the_dashboard_and_metrics(board, admin, demo_week):
    lag = (await board.get("/lag", headers=admin)).json()
    domains = {c["domain"] for c in lag["consumers"] if c["projection"] == BOARD.name}
    assert {"registry", "visits", "engagement"} <= domains
    page = (await board.get("/dashboard", headers=admin)).text
    assert "数据同步" in page and re.search(r"stations_board-[ab]-visits-p\d", page)
    metrics = (await board.get("/metrics")).text
    assert re.search(
        r'shegong_consumer_lag_events\{consumer="stations_board-[ab]-visits-p\d+"\}', metrics
    )

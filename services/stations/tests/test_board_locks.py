"""The board's counters are rows per station written from every partition's transaction at
once; a batch takes its stations' locks first, in one order, so partitions never deadlock on
them (a deadlock costs the whole batch again)."""

from __future__ import annotations

import asyncio

from shegong_stations.projections import BOARD
from shegong_testing.probe import probe_event


def at(*stations: str) -> list:
    return [probe_event(f"h-{n}", station_id=sid) for n, sid in enumerate(stations)]


async def test_a_batch_waits_for_a_station_another_batch_holds_and_not_for_others(pool):
    s = "board_locks_test"
    async with pool.acquire() as a, pool.acquire() as b, pool.acquire() as c:
        async with a.transaction():
            await BOARD.first(a, s, at("st-2", "st-1"))  # given in any order, taken in one

            async def other(conn, stations: tuple[str, ...]) -> None:
                async with conn.transaction():
                    await BOARD.first(conn, s, at(*stations))

            elsewhere = asyncio.create_task(other(c, ("st-3",)))
            await asyncio.wait_for(elsewhere, timeout=10)  # another station: no wait
            same = asyncio.create_task(other(b, ("st-1", "st-3")))
            await asyncio.sleep(0.3)
            assert not same.done()  # st-1 is held by the first batch until it commits
        await asyncio.wait_for(same, timeout=10)

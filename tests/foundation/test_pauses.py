"""The one stop-aware sleep (`shegong_runtime.pauses`): a stopping service never waits out a
loop's pause."""

from __future__ import annotations

import asyncio
import time

from shegong_runtime.pauses import pause


async def test_a_pause_ends_when_its_time_is_up():
    started = time.monotonic()
    await pause(asyncio.Event(), 0.05)
    assert time.monotonic() - started >= 0.04


async def test_a_pause_ends_as_soon_as_the_service_stops():
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    started = time.monotonic()
    await pause(stop, 30)
    assert time.monotonic() - started < 5


async def test_a_pause_ends_when_another_event_wakes_it():
    stop, woken = asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, woken.set)
    started = time.monotonic()
    await pause(stop, 30, woken)
    assert time.monotonic() - started < 5 and not stop.is_set()


async def test_a_pause_leaves_no_waiting_tasks_behind():
    before = len(asyncio.all_tasks())
    await pause(asyncio.Event(), 0.01, asyncio.Event())
    await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) == before

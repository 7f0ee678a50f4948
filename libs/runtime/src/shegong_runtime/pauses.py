"""The one stop-aware sleep of every loop that runs until its service stops.

A loop that waits between rounds (a relay polling for its lock, a runner leasing partitions, a
courier with nothing due) must not hold a stopping service for the rest of its wait: `pause`
returns as soon as `stop` (or any other event it is given, such as a commit waking the relay)
is set, else after `seconds`.
"""

from __future__ import annotations

import asyncio


async def pause(stop: asyncio.Event, seconds: float, *wake: asyncio.Event) -> None:
    """Wait `seconds`, or less once `stop` or one of `wake` is set; never raises a time-out."""
    waits = [asyncio.ensure_future(e.wait()) for e in (stop, *wake)]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()

"""A rebuild: all history replayed into the next generation beside the live one, then swapped in.

Live runners notice the swap within a second and continue on the new generation's consumers,
which already stand where the rebuild caught up: no downtime, no gap. The old generation's
consumers and schema go after a grace period.
"""

from __future__ import annotations

import asyncio

import asyncpg
from nats.aio.client import Client

from shegong_runtime import generations, logging
from shegong_runtime.projection.base import Projection
from shegong_runtime.projection.runner import ProjectionRunner
from shegong_runtime.settings import Settings

log = logging.get("projection")


async def rebuild(
    projection: Projection, pool: asyncpg.Pool, nc: Client, settings: Settings, grace_s: float = 3.0
) -> int:
    """Replay all history into the next generation beside the live one, swap, retire the old;
    returns the new generation."""
    old = await generations.live(pool, projection.name)
    new = old + 1
    await generations.drop_schema(pool, generations.schema_name(projection.name, new))
    runner = ProjectionRunner(projection, pool, nc, settings, generation=new, exclusive=True)
    await runner.delete_consumers()  # a half-done earlier rebuild starts over
    await runner.run(asyncio.Event(), until_caught_up=True)
    await generations.swap(pool, projection.name, new)
    log.info("projection.rebuilt", projection=projection.name, generation=new)
    await asyncio.sleep(grace_s)
    retired = ProjectionRunner(projection, pool, nc, settings, generation=old)
    await retired.delete_consumers()
    await generations.drop_schema(pool, retired.schema)
    return new

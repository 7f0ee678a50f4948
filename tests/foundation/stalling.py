"""`shegong` with a stall at a crash point, for the tests that SIGKILL a process exactly there.

    SHEGONG_TEST_STALL=relay.checkpoint:60      after a batch's acks, before its checkpoint
    SHEGONG_TEST_STALL=projection.mid_batch:60  half a batch applied inside its open transaction

The stall is wrapped around the runtime's own methods here, in the test's process launcher, so
production code carries no fault switches. Each stall logs the line the test waits for.
"""

from __future__ import annotations

import asyncio
import os

from shegong_runtime import logging, projection, relay
from shegong_runtime.cli import main

POINT, _, SECONDS = os.environ.get("SHEGONG_TEST_STALL", "").partition(":")


def stall_relay_before_checkpoint(seconds: float) -> None:
    save = relay.Relay._save_checkpoint

    async def stalled(self: relay.Relay, cursor: relay.Position) -> None:
        logging.get("relay").warning("relay.checkpoint_pending", domain=self.domain)
        await asyncio.sleep(seconds)
        await save(self, cursor)

    relay.Relay._save_checkpoint = stalled  # type: ignore[method-assign]  # the stall wraps the real method


def stall_projection_mid_batch(seconds: float) -> None:
    start = projection.ProjectionRunner.__init__

    def init(
        self: projection.ProjectionRunner, model: projection.Projection, *args, **kwargs
    ) -> None:
        start(self, model, *args, **kwargs)
        apply_batch = model.apply_batch

        async def halved(conn, s, events):
            if len(events) > 1:
                await apply_batch(conn, s, events[: len(events) // 2])
                logging.get("projection").warning("projection.mid_batch", projection=model.name)
                await asyncio.sleep(seconds)
                events = events[len(events) // 2 :]
            await apply_batch(conn, s, events)

        model.apply_batch = halved  # type: ignore[method-assign]  # halves each batch around the real one

    projection.ProjectionRunner.__init__ = init  # type: ignore[method-assign, assignment]  # arguments passed through


if POINT == "relay.checkpoint":
    stall_relay_before_checkpoint(float(SECONDS))
elif POINT == "projection.mid_batch":
    stall_projection_mid_batch(float(SECONDS))
elif POINT:
    raise SystemExit(f"SHEGONG_TEST_STALL: no crash point {POINT!r}")

main()

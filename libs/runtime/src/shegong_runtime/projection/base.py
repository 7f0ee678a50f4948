"""What a projection is: a read model's tables, how each event changes them, and the tracking
tables every generation schema holds beside them (processed ids, failure counts, checkpoints,
store epochs, and the versions and parked events of `ordering`)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from shegong_events import Envelope

from shegong_runtime import ordering
from shegong_runtime.settings import Settings


class Projection:
    """A read model: its tables (DDL with `{s}` for the schema) and how each event changes them."""

    name: str = "projection"
    domains: Sequence[str] = ()
    ddl: str = ""

    def bind(self, pool: asyncpg.Pool, settings: Settings) -> Projection:
        """The projection as a runner runs it: one that needs a piece of the running service
        (visits' name index opens names with the service's key store) answers a copy holding
        it; the rest answer themselves. Said once here, so the live runner and a rebuild get
        the same projection."""
        return self

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        raise NotImplementedError

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """Override where a whole batch can be written in fewer round trips; order is kept."""
        for event in events:
            await self.apply(conn, s, event)


TRACKING_DDL = (
    """
CREATE TABLE IF NOT EXISTS {s}.processed (
    event_id uuid PRIMARY KEY,
    dead boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS {s}.failures (
    message text PRIMARY KEY,  -- stream:sequence
    count   integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.checkpoints (
    stream text PRIMARY KEY,   -- the unit: <domain>.p<k>, or redrive
    stream_seq bigint NOT NULL
);
-- when the unit's stream was created: another time means it was recreated or restored, and
-- sequences past it are not the ones the checkpoint counted (NULL: not recorded yet)
ALTER TABLE {s}.checkpoints ADD COLUMN IF NOT EXISTS stream_created text;
-- the store epochs each domain's events came from (`identity`): a new one is a restored store
CREATE TABLE IF NOT EXISTS {s}.store_epochs (
    domain     text NOT NULL,
    epoch      text NOT NULL,
    first_seq  bigint NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (domain, epoch)
);
"""
    + ordering.DDL
)

"""The grain of a projection's work, and the cursor a replica opens on it.

A unit is one partition of one domain (`visits.p3`), or the re-drive subject of the dead-letter
stream. The NATS consumer of a unit is only a cursor: opened afresh at the unit's checkpoint
whenever a replica takes the unit or recovers from an error (no acks, no ack wait), so a new
holder never waits for messages a dead one held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shegong_runtime import logging
from shegong_runtime.pulls import Pull

if TYPE_CHECKING:
    from shegong_runtime.projection.runner import ProjectionRunner

REDRIVE = "redrive"
log = logging.get("projection")


@dataclass
class Unit:
    """One partition of one domain (`visits.p3`), or the re-drive subject: the grain of work
    a replica leases, and the key of its checkpoint."""

    key: str
    domain: str
    stream: str
    filter_subject: str
    consumer: str = ""
    stream_seq: int = 0
    pending: int = 0
    received: int = 0
    applied: int = 0
    dead: int = 0

    @property
    def durable(self) -> str:  # the consumer's name, as lag pages show it
        return self.consumer


async def checkpoint_of(runner: ProjectionRunner, unit: Unit) -> int:
    """The unit's checkpoint, unless its stream no longer reaches it (restored from an older
    snapshot, lost and published again): then a warning, and the cursor starts over at the
    stream's beginning; the processed ids make what was applied already a no-op."""
    schema = runner.schema
    row = await runner.pool.fetchrow(
        f"SELECT stream_seq, stream_created FROM {schema}.checkpoints WHERE stream = $1",
        unit.key,
    )
    info = await runner.js.stream_info(unit.stream)
    created = info.created.isoformat() if info.created else ""
    seq, recorded = (row["stream_seq"], row["stream_created"]) if row else (0, None)
    if seq and (seq > info.state.last_seq or (recorded and created and recorded != created)):
        log.error(
            "projection.checkpoint_ahead",
            projection=runner.projection.name,
            unit=unit.key,
            checkpoint=seq,
            stream_last=info.state.last_seq,
            stream_recreated=bool(recorded and recorded != created),
        )
        seq = 0
    if row is None or seq != row["stream_seq"] or recorded != created:
        await runner.pool.execute(
            f"INSERT INTO {schema}.checkpoints (stream, stream_seq, stream_created) "
            "VALUES ($1, $2, $3) ON CONFLICT (stream) DO UPDATE "
            "SET stream_seq = EXCLUDED.stream_seq, stream_created = EXCLUDED.stream_created",
            unit.key,
            seq,
            created,
        )
    return seq


async def open_cursor(runner: ProjectionRunner, unit: Unit) -> Pull:
    """A fresh cursor at the unit's checkpoint: whatever an earlier holder fetched is moot."""
    seq = await checkpoint_of(runner, unit)
    unit.stream_seq = seq
    try:
        await runner.js.delete_consumer(unit.stream, unit.consumer)
    except NotFoundError:
        pass
    info = await runner.js.add_consumer(
        unit.stream,
        ConsumerConfig(
            name=unit.consumer,
            filter_subject=unit.filter_subject,
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE if seq else DeliverPolicy.ALL,
            opt_start_seq=seq + 1 if seq else None,
            inactive_threshold=300.0,
        ),
    )
    unit.pending = info.num_pending or 0
    pull = Pull(
        runner.nc,
        unit.stream,
        unit.consumer,
        runner.settings.projection_batch_size,
        runner.settings.projection_fetch_timeout_s,
    )
    return await pull.open()

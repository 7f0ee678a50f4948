"""The relay's recovery scan: where it left off, and what the streams hold past that.

Run when a relay becomes active and after any failed batch. The checkpoint keeps each
stream's sequence of the last acknowledged publish; every message a stream holds past it is
read back for its `Nats-Msg-Id`, so the relay skips those events instead of trusting the
duplicate window (which may have ended since).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from shegong_events.subjects import stream_name

from shegong_runtime import bus, identity
from shegong_runtime.eventstore import EventStore, Position
from shegong_runtime.settings import Settings


@dataclass(frozen=True)
class Checkpoint:
    """The store position last confirmed in both streams, with each stream's sequence then."""

    cursor: Position
    stream_seq: int
    partition_seq: int


@dataclass
class Held:
    """What the streams already hold past the checkpoint, and what the next publishes carry."""

    epoch: str  # the store's identity (`identity.HEADER`)
    partitions: int  # P, as the domain's partition stream was created
    in_stream: set[str] = field(default_factory=set)  # event ids in the domain stream
    in_partitions: set[str] = field(default_factory=set)  # and in the partition stream


async def checkpoint(store: EventStore, relay: str) -> Checkpoint:
    """The relay's checkpoint row, created at zero the first time."""
    row = await store.pool.fetchrow(
        f"INSERT INTO {store.schema}.relay_checkpoint (relay) VALUES ($1) "
        "ON CONFLICT (relay) DO UPDATE SET relay = EXCLUDED.relay "
        "RETURNING tx_id, position, stream_seq, partition_seq",
        relay,
    )
    return Checkpoint(
        Position(row["tx_id"], row["position"]), row["stream_seq"], row["partition_seq"]
    )


async def scan(
    store: EventStore, js: JetStreamContext, domain: str, settings: Settings, at: Checkpoint
) -> Held:
    """The store's epoch, the partition count, and the event ids each stream holds past `at`."""
    epoch = str(await identity.current(store.pool, store.schema))
    await bus.ensure_stream(js, bus.partition_stream_config(domain, settings), update=False)
    partitions = await bus.partitions(js, domain)
    return Held(
        epoch,
        partitions,
        await held(js, stream_name(domain), at.stream_seq),
        await held(js, bus.partition_stream_name(domain), at.partition_seq),
    )


async def held(js: JetStreamContext, stream: str, after: int) -> set[str]:
    """The `Nats-Msg-Id` of every message `stream` holds past sequence `after`."""
    info = await js.stream_info(stream)
    ids = set()
    for seq in range(after + 1, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq, direct=True)
        except NotFoundError:
            continue
        if msg.headers and "Nats-Msg-Id" in msg.headers:
            ids.add(msg.headers["Nats-Msg-Id"])
    return ids

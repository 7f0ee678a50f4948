"""NATS connections and idempotent declaration of the streams: per domain, its partition stream,
and the dead-letter stream.

A partition stream (`SWP_<DOMAIN>`) holds the domain's events again under
`swp.<d>.<k>.<station>.<Type>.<agg>`, with k = FNV-1a(aggregate id) mod P (the hash of NATS's own
`partition()` subject mapping). Projections consume one partition per consumer, in stream order,
so an aggregate's events never overtake each other however many replicas share the work.
Integrators keep reading the domain streams' subjects.

The relay publishes each event to both streams. A stream source with a subject transform would
do it server-side, but a source whose origin loses its leader stalls until the server's fixed
10 s health check re-creates it (18 s measured on a three-node cluster), longer than a new leader
takes; the relay already knows how to publish exactly once, so it does it twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Collection

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, PubAck, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from shegong_events.subjects import stream_name

from shegong_runtime import logging
from shegong_runtime.settings import Settings

log = logging.get("bus")

DEADLETTER_STREAM = "SW_DEADLETTER"
PARTITION_PREFIX = "swp"
PARTITIONS_KEY = "shegong.partitions"
DEADLETTER_PREFIX = "sw.dlq"
REDRIVE_PREFIX = "sw.redrive"


async def connect(settings: Settings, name: str) -> Client:
    """Connect as SHEGONG_NATS_USER when set: the server's permissions for that user apply."""
    client = Client()
    await client.connect(
        [url.strip() for url in settings.nats_url.split(",") if url.strip()],  # a cluster: several
        name=f"shegong-{name}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,  # type: ignore[arg-type]  # seconds; nats-py annotates int, means float
        connect_timeout=5,
        disconnected_cb=_said(client, "nats.disconnected", name),
        reconnected_cb=_said(client, "nats.reconnected", name),
        error_cb=_error(name),
        user=settings.nats_user or None,
        password=(settings.nats_password or "") if settings.nats_user else None,
    )
    return client


def _said(client: Client, event: str, name: str) -> Callable[[], Awaitable[None]]:
    async def callback() -> None:
        if not (client.is_closed or client.is_draining):  # a goodbye of our own is no news
            log.warning(
                event,
                client=name,
                server=str(client.connected_url.netloc if client.connected_url else ""),
            )

    return callback


def _error(name: str) -> Callable[[Exception], Awaitable[None]]:
    async def callback(exc: Exception) -> None:
        log.warning("nats.error", client=name, error=type(exc).__name__, detail=str(exc)[:200])

    return callback


def domain_stream_config(domain: str, settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=stream_name(domain),
        subjects=[f"sw.{domain}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        num_replicas=settings.stream_replicas,
        duplicate_window=settings.stream_duplicate_window_s,
        max_age=settings.stream_max_age_s,
        allow_direct=True,
    )


GENERATION_SLOTS = (
    "a",
    "b",
)  # a rebuild fills the generation after the live one: never the same slot


def consumer_name(projection: str, generation: int, unit: str) -> str:
    """`<projection>-<slot>-<domain>-p<k>` (or `-redrive`): the slot alternates with generations,
    so the names a service may use stay a short fixed list (NATS permissions name them in full)."""
    slot = GENERATION_SLOTS[(generation - 1) % len(GENERATION_SLOTS)]
    return f"{projection}-{slot}-{unit.replace('.', '-')}"


def partition_stream_name(domain: str) -> str:
    return f"SWP_{domain.upper()}"


def partition_subject(domain: str, partition: int | str = "*") -> str:
    return f"{PARTITION_PREFIX}.{domain}.{partition}.>"


def partition_stream_config(domain: str, settings: Settings) -> StreamConfig:
    """Kept like its domain stream; P rides along in the metadata."""
    return dataclasses.replace(
        domain_stream_config(domain, settings),
        name=partition_stream_name(domain),
        subjects=[partition_subject(domain)],
        metadata={PARTITIONS_KEY: str(settings.projection_partitions)},
    )


def partitions_of(config: StreamConfig) -> int:
    """P as the stream was created with: fixed for its life, whatever a later process is told."""
    return int((config.metadata or {}).get(PARTITIONS_KEY, "1"))


def partition_of(aggregate_id: str, partitions: int) -> int:
    """FNV-1a (32 bit) of the aggregate id, modulo P: what NATS's `{{partition(P,k)}}` computes."""
    h = 0x811C9DC5
    for byte in aggregate_id.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % partitions


def partitioned(subject: str, partitions: int) -> str:
    """`sw.<d>.<station>.<Type>.<agg>` as its partition stream holds it."""
    _, domain, rest = subject.split(".", 2)
    return (
        f"{PARTITION_PREFIX}.{domain}.{partition_of(subject.rsplit('.', 1)[1], partitions)}.{rest}"
    )


_partitions: dict[str, int] = {}


async def partitions(js: JetStreamContext, domain: str) -> int:
    if domain not in _partitions:
        _partitions[domain] = partitions_of(
            (await js.stream_info(partition_stream_name(domain))).config
        )
    return _partitions[domain]


async def publish_event(
    js: JetStreamContext, subject: str, data: bytes, headers: dict[str, str]
) -> PubAck:
    """One event into its domain stream and its partition stream, as the relay does (for tools
    and tests that stand in for a relay); returns the domain stream's acknowledgement."""
    count = await partitions(js, subject.split(".", 2)[1])
    ack = await js.publish(subject, data, headers=headers)
    await js.publish(partitioned(subject, count), data, headers=headers)
    return ack


def origin(msg: Msg) -> tuple[str, int, str]:
    """(stream, sequence, subject) of a message, its partition prefix taken off the subject."""
    meta = msg.metadata
    subject = msg.subject
    if subject.startswith(PARTITION_PREFIX + "."):
        _, domain, _, rest = subject.split(".", 3)
        subject = f"sw.{domain}.{rest}"
    return meta.stream, meta.sequence.stream, subject


def deadletter_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=DEADLETTER_STREAM,
        subjects=[f"{DEADLETTER_PREFIX}.>", f"{REDRIVE_PREFIX}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        num_replicas=settings.stream_replicas,
        duplicate_window=settings.stream_duplicate_window_s,
        allow_direct=True,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig, update: bool = True) -> None:
    """Create the stream, or (when `update`) bring its settable fields in line with configuration."""
    try:
        info = await js.stream_info(config.name or "")
    except NotFoundError:
        await js.add_stream(config)
        return
    if not update:
        return
    current = info.config
    if (
        current.duplicate_window != config.duplicate_window
        or current.num_replicas != config.num_replicas
        or (current.max_age or 0) != (config.max_age or 0)
        or sorted(current.subjects or []) != sorted(config.subjects or [])
    ):
        if current.metadata and PARTITIONS_KEY in current.metadata:  # P is fixed at creation
            config = dataclasses.replace(config, metadata=current.metadata)
        await js.update_stream(config)


async def ensure_domain_streams(
    js: JetStreamContext,
    domains: list[str],
    settings: Settings,
    owned: Collection[str] | None = None,
) -> None:
    """Declare the streams a process uses. Only a domain's owner (or, with `owned` None, an
    operator's tool) may change an existing stream's settings: a consumer started with other
    settings must not rewrite another service's duplicate window or replicas."""
    for domain in domains:
        update = owned is None or domain in owned
        await ensure_stream(js, domain_stream_config(domain, settings), update=update)
        await ensure_stream(js, partition_stream_config(domain, settings), update=update)
    await ensure_stream(js, deadletter_stream_config(settings), update=owned is None)

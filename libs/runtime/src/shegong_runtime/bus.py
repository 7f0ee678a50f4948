"""NATS connections and idempotent declaration of the streams: per domain, its partition stream,
and the dead-letter stream.

A partition stream (`SWP_<DOMAIN>`) sources its domain stream through a subject transform that
puts a stable hash of the aggregate id in front: `sw.<d>.<station>.<Type>.<agg>` becomes
`swp.<d>.<k>.<station>.<Type>.<agg>` with k = `partition(P, aggregate)`. Projections consume one
partition per consumer, in stream order, so an aggregate's events never overtake each other
however many replicas share the work. Integrators keep reading the domain streams' subjects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamSource,
    SubjectTransform,
)
from nats.js.errors import NotFoundError
from shegong_events.subjects import stream_name

from shegong_runtime import logging
from shegong_runtime.settings import Settings

log = logging.get("bus")

DEADLETTER_STREAM = "SW_DEADLETTER"
PARTITION_PREFIX = "swp"
SOURCE_HEADER = "Nats-Stream-Source"  # set by JetStream on every sourced message
DEADLETTER_PREFIX = "sw.dlq"
REDRIVE_PREFIX = "sw.redrive"


async def connect(settings: Settings, name: str) -> Client:
    """Connect as SHEGONG_NATS_USER when set: the server's permissions for that user apply."""
    credentials = {}
    if settings.nats_user:
        credentials = {"user": settings.nats_user, "password": settings.nats_password or ""}
    return await nats.connect(
        [url.strip() for url in settings.nats_url.split(",") if url.strip()],  # a cluster: several
        name=f"shegong-{name}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        disconnected_cb=_said("nats.disconnected", name),
        reconnected_cb=_said("nats.reconnected", name),
        error_cb=_error(name),
        **credentials,
    )


def _said(event: str, name: str):  # type: ignore[no-untyped-def]
    async def callback() -> None:
        log.warning(event, client=name)

    return callback


def _error(name: str):  # type: ignore[no-untyped-def]
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


def partition_stream_name(domain: str) -> str:
    return f"SWP_{domain.upper()}"


def partition_subject(domain: str, partition: int | str = "*") -> str:
    return f"{PARTITION_PREFIX}.{domain}.{partition}.>"


def partition_stream_config(domain: str, settings: Settings) -> StreamConfig:
    """The domain's events again, keyed by partition; sourced in the domain stream's order."""
    transform = SubjectTransform(
        src=f"sw.{domain}.*.*.*",
        dest=f"{PARTITION_PREFIX}.{domain}.{{{{partition({settings.projection_partitions},3)}}}}"
        ".{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}",
    )
    return StreamConfig(
        name=partition_stream_name(domain),
        sources=[StreamSource(name=stream_name(domain), subject_transforms=[transform])],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        num_replicas=settings.stream_replicas,
        max_age=settings.stream_max_age_s,
        allow_direct=True,
    )


def partitions_of(config: StreamConfig) -> int:
    """P as the stream was created with: fixed for its life, whatever a later process is told."""
    dest = config.sources[0].subject_transforms[0].dest  # type: ignore[index]
    return int(dest.split("{{partition(", 1)[1].split(",", 1)[0])


def origin(msg: Msg) -> tuple[str, int, str]:
    """(stream, sequence, subject) of a message in its domain stream, also when read from a
    partition stream (JetStream's source header names where it came from)."""
    meta = msg.metadata
    source = (msg.headers or {}).get(SOURCE_HEADER)
    if source:
        parts = source.split(" ")
        if len(parts) >= 5:
            return parts[0], int(parts[1]), parts[4]
    return meta.stream, meta.sequence.stream, msg.subject


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
        info = await js.stream_info(config.name)
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
        if config.sources:  # a partition stream keeps the partition count it was created with
            config = dataclasses.replace(config, sources=current.sources)
        await js.update_stream(config)


async def ensure_domain_streams(
    js: JetStreamContext, domains: list[str], settings: Settings, owned: Collection[str] | None = None
) -> None:
    """Declare the streams a process uses. Only a domain's owner (or, with `owned` None, an
    operator's tool) may change an existing stream's settings: a consumer started with other
    settings must not rewrite another service's duplicate window or replicas."""
    for domain in domains:
        update = owned is None or domain in owned
        await ensure_stream(js, domain_stream_config(domain, settings), update=update)
        await ensure_stream(js, partition_stream_config(domain, settings), update=update)
    await ensure_stream(js, deadletter_stream_config(settings), update=owned is None)

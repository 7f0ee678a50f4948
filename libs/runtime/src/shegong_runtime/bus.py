"""NATS connections and idempotent declaration of the per-domain streams and the dead-letter stream."""

from __future__ import annotations

from collections.abc import Collection

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shegong_events.subjects import stream_name
from shegong_runtime.settings import Settings

DEADLETTER_STREAM = "SW_DEADLETTER"
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
        **credentials,
    )


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
    await ensure_stream(js, deadletter_stream_config(settings), update=owned is None)

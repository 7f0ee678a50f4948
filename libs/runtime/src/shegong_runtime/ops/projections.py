"""The read models of every installed service: where each stands, and rebuilding one by name.

A projection is found by its name among the installed services' `projections` and the station
directory each service keeps (`<service>_stations`). Status is read-only; rebuild fills the
next generation beside the live one and swaps it in (`shegong_runtime.projection.rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shegong_runtime import bus, catalogue, deadletter, generations, projection
from shegong_runtime.bus import DEADLETTER_STREAM
from shegong_runtime.projection import Projection
from shegong_runtime.settings import Settings
from shegong_runtime.station_directory import KnownStations


class UnknownProjection(LookupError):
    """No installed service has a projection of that name."""


def installed() -> dict[str, tuple[str, Projection]]:
    """Projection name → (service name, projection), for every installed service."""
    found: dict[str, tuple[str, Projection]] = {}
    for name, ep in catalogue.services().items():
        service = ep.load()
        for p in [KnownStations(service.name), *service.projections]:
            found[p.name] = (name, p)
    return found


def find(name: str) -> tuple[str, Projection]:
    known = installed()
    if name not in known:
        raise UnknownProjection(
            f"no projection {name!r} (have: {', '.join(sorted(known)) or 'none'})"
        )
    return known[name]


@dataclass(frozen=True)
class SourceState:
    domain: str  # a domain, or redrive
    checkpoint: int  # the last (partition) stream sequence applied
    stream_last: int
    lag: int  # not yet delivered to the live generation's consumer
    ack_pending: int
    unit: str = ""  # <domain>.p<k>, or redrive: the grain one replica consumes


@dataclass(frozen=True)
class ProjectionState:
    name: str
    service: str
    generation: int | None  # None: never started
    dead: int  # events marked dead in the live generation
    sources: list[SourceState]


async def status(pool: asyncpg.Pool, js: JetStreamContext) -> list[ProjectionState]:
    out = []
    for name, (service, p) in sorted(installed().items()):
        gen = await _live(pool, name)
        if gen is None:
            out.append(ProjectionState(name, service, None, 0, []))
            continue
        schema = generations.schema_name(name, gen)
        try:
            checkpoints = {
                r["stream"]: r["stream_seq"]
                for r in await pool.fetch(f"SELECT stream, stream_seq FROM {schema}.checkpoints")
            }
            dead = await pool.fetchval(f"SELECT count(*) FROM {schema}.processed WHERE dead")
        except asyncpg.UndefinedTableError:
            checkpoints, dead = {}, 0
        sources = []
        for domain in [*p.domains, projection.REDRIVE]:
            sources += await _units(js, name, gen, domain, checkpoints)
        out.append(ProjectionState(name, service, gen, dead, sources))
    return out


async def _units(
    js: JetStreamContext, name: str, gen: int, domain: str, checkpoints: dict[str, int]
) -> list[SourceState]:
    """One row per unit: a partition of the domain (`visits.p0`...), or the re-drive subject."""
    if domain == projection.REDRIVE:
        stream, keys = DEADLETTER_STREAM, [domain]
    else:
        stream = bus.partition_stream_name(domain)
        try:
            keys = [
                f"{domain}.p{k}"
                for k in range(bus.partitions_of((await js.stream_info(stream)).config))
            ]
        except NotFoundError:
            return []
    out = []
    for key in keys:
        subject = (
            deadletter.redrive_subject(name)
            if key == projection.REDRIVE
            else bus.partition_subject(*key.split(".p"))
        )
        try:  # the unit's own last message: a partition's sequences are the stream's, sparse
            last = (await js.get_last_msg(stream, subject, direct=True)).seq or 0
        except NotFoundError:
            last = 0
        try:
            info = await js.consumer_info(stream, bus.consumer_name(name, gen, key))
            lag, ack_pending = info.num_pending or 0, info.num_ack_pending or 0
        except NotFoundError:
            lag, ack_pending = 0, 0
        out.append(SourceState(domain, checkpoints.get(key, 0), last, lag, ack_pending, unit=key))
    return out


async def _live(pool: asyncpg.Pool, name: str) -> int | None:
    try:
        return await pool.fetchval(
            f"SELECT live FROM {generations.META}.generations WHERE projection = $1", name
        )
    except asyncpg.UndefinedTableError:
        return None


async def rebuild(name: str, pool: asyncpg.Pool, nc: Client, settings: Settings) -> int:
    """Rebuild one projection from history beside the live one; returns the new generation."""
    _, p = find(name)
    return await projection.rebuild(p, pool, nc, settings)

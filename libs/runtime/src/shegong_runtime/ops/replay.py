"""Replaying event history from JetStream: any start, any slice, old versions upcast on the way.

The domain streams keep every event forever, so an integrator can read history from the start,
a stream sequence or a time, filtered by domain, station, event type or aggregate with the
subject `sw.<domain>.<station_id>.<EventType>.<aggregate_id>`. Each stream is read by an
ephemeral pull consumer (no acks, gone after use) up to the head it had when the replay began;
domains are read one after another, each in stream order, which keeps every aggregate in order.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from shegong_events import CATALOG, Envelope
from shegong_events.all import load_all
from shegong_events.subjects import DOMAINS, PREFIX, stream_name, token

from shegong_runtime import catalogue
from shegong_runtime.projection import Undecodable, decode
from shegong_runtime.pulls import Pull


class BadSelection(ValueError):
    """The filters contradict each other or name something that does not exist."""


@dataclass(frozen=True)
class Selection:
    """Which events: every empty field means `all`; fields combine with AND, values with OR."""

    domains: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    aggregates: tuple[str, ...] = ()

    def plan(self) -> dict[str, list[str]]:
        """Domain → subject filters of its stream, in the order domains are replayed."""
        load_all()
        for value in (*self.stations, *self.event_types, *self.aggregates):
            token(value, "filter value")
        by_type: dict[str, list[str]] = {}
        for event_type in self.event_types:
            try:
                by_type.setdefault(CATALOG.domain_of(event_type), []).append(event_type)
            except LookupError:
                raise BadSelection(f"unknown event type {event_type!r}") from None
        domains = list(self.domains) or list(by_type) or known_domains()
        for domain in domains:
            token(domain, "domain")
        if self.event_types and not set(domains) & set(by_type):
            raise BadSelection("none of the event types belongs to the chosen domains")
        plan = {}
        for domain in sorted(set(domains), key=domain_order):
            types = by_type.get(domain, []) if self.event_types else ["*"]
            if not types:
                continue
            plan[domain] = [
                f"{PREFIX}.{domain}.{station}.{event_type}.{aggregate}"
                for station, event_type, aggregate in itertools.product(
                    self.stations or ["*"], types, self.aggregates or ["*"]
                )
            ]
        return plan


def known_domains() -> list[str]:
    load_all()
    return sorted({*DOMAINS, *(m.domain for m in CATALOG.models())}, key=domain_order)


def domain_order(domain: str) -> tuple[int, str]:
    """The registry first: other domains refer to the stations it opens."""
    order = catalogue.ORDER
    return (order.index(domain) if domain in order else len(order), domain)


@dataclass(frozen=True)
class Start:
    """Where each stream is read from: the beginning, a stream sequence, or a time."""

    seq: int | None = None
    time: datetime | None = None

    def consumer_config(self, subjects: list[str]) -> ConsumerConfig:
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.ALL,
            inactive_threshold=3600.0,  # the last domain may wait while the first is read
            mem_storage=True,
            num_replicas=1,
        )
        if self.seq is not None:
            config.deliver_policy, config.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, self.seq
        elif self.time is not None:
            config.deliver_policy, config.opt_start_time = DeliverPolicy.BY_START_TIME, self.time
        if len(subjects) == 1:
            config.filter_subject = subjects[0]
        else:
            config.filter_subjects = subjects
        return config


@dataclass(frozen=True)
class Replayed:
    stream: str
    seq: int
    subject: str
    envelope: Envelope


@dataclass
class Report:
    delivered: int = 0
    skipped: list[str] = field(default_factory=list)  # "STREAM:seq reason" of undecodable messages
    missing_streams: list[str] = field(default_factory=list)


class Replay:
    """One replay: plan the consumers, count what is ahead, then yield events in order."""

    def __init__(
        self, js: JetStreamContext, selection: Selection, start: Start = Start(), batch: int = 256
    ) -> None:
        self.js, self.selection, self.start, self.batch = js, selection, start, batch
        self.report = Report()
        self._consumers: list[tuple[str, str, int]] = []  # (stream, consumer, messages ahead)

    async def open(self) -> int:
        """Create one ephemeral consumer per stream; returns how many events lie ahead."""
        plan = self.selection.plan()
        if self.start.seq is not None and len(plan) != 1:
            raise BadSelection("a start sequence belongs to one stream: choose exactly one domain")
        for domain, subjects in plan.items():
            stream = stream_name(domain)
            try:
                await self.js.stream_info(stream)
            except NotFoundError:
                self.report.missing_streams.append(stream)
                continue
            info = await self.js.add_consumer(stream, self.start.consumer_config(subjects))
            self._consumers.append((stream, info.name, info.num_pending or 0))
        return sum(n for _, _, n in self._consumers)

    async def events(self, follow: bool = False) -> AsyncIterator[Replayed]:
        """Every selected event once, upcast to its latest version; `follow` keeps waiting."""
        if follow and len(self._consumers) > 1:
            raise BadSelection("--follow reads one stream: choose exactly one domain")
        for stream, name, ahead in self._consumers:
            # one outstanding pull, batches of what has arrived (as the projections read)
            pull = await Pull(self.js._nc, stream, name, self.batch, 2.0).open()
            try:
                remaining, caught_up = ahead, ahead == 0
                while follow or not (caught_up or remaining <= 0):
                    msgs = await pull.take(self.batch, timeout=2.0)
                    if not msgs:  # nothing came: is there anything left at all?
                        caught_up = (await self.js.consumer_info(stream, name)).num_pending == 0
                        continue
                    for msg in msgs:
                        remaining -= 1
                        caught_up = msg.metadata.num_pending == 0
                        seq = msg.metadata.sequence.stream
                        try:
                            envelope = decode(msg)
                        except Undecodable as exc:
                            self.report.skipped.append(
                                f"{stream}:{seq} {' '.join(str(exc).split())[:200]}"
                            )
                            continue
                        self.report.delivered += 1
                        yield Replayed(stream, seq, msg.subject, envelope)
            finally:
                await pull.close()
                await self.close_one(stream, name)

    async def close_one(self, stream: str, name: str) -> None:
        try:
            await self.js.delete_consumer(stream, name)
        except (NotFoundError, TimeoutError, NatsError):
            return  # it expires on its own after its inactive threshold

    async def close(self) -> None:
        for stream, name, _ in self._consumers:
            await self.close_one(stream, name)


def target_subject(prefix: str, subject: str) -> str:
    """`sw.visits.s.T.a` re-published under `PREFIX` becomes `PREFIX.visits.s.T.a`."""
    return f"{prefix}.{subject.split('.', 1)[1]}"


async def check_target(js: JetStreamContext, prefix: str, domains: Iterable[str]) -> str | None:
    """The stream that will keep re-published events, if any; never one of Shegong's own."""
    if not prefix or any(not part for part in prefix.split(".")) or any(c in prefix for c in "*> "):
        raise BadSelection(f"target prefix {prefix!r} must be a plain subject prefix")
    found = None
    for domain in domains:
        try:
            found = await js.find_stream_name_by_subject(f"{prefix}.{domain}.s.T.a")
        except NotFoundError:
            continue
        if found.startswith("SW_"):
            raise BadSelection(f"target prefix {prefix!r} lands in Shegong's own stream {found}")
    return found


Tick = Callable[[int], object]  # a progress bar's update


async def export(
    replay: Replay, out: IO[str], tick: Tick = lambda n: None, follow: bool = False
) -> None:
    """JSON Lines: one envelope per line, exactly as the published JSON Schemas describe it."""
    async for r in replay.events(follow):
        out.write(r.envelope.model_dump_json() + "\n")
        tick(1)
    tick(len(replay.report.skipped))


async def republish(
    nc: Client,
    replay: Replay,
    prefix: str,
    kept_in: str | None,
    tick: Tick = lambda n: None,
    follow: bool = False,
) -> None:
    """Publish each event again under `prefix`; through JetStream when a stream keeps them there."""
    js = nc.jetstream()
    async for r in replay.events(follow):
        e = r.envelope
        headers = {
            "Nats-Msg-Id": str(e.event_id),
            "Sw-Event-Type": e.event_type,
            "Sw-Schema-Version": str(e.schema_version),
            "Sw-Replayed-From": f"{r.stream}:{r.seq}",
        }
        data = e.model_dump_json().encode()
        if kept_in:
            await js.publish(target_subject(prefix, r.subject), data, headers=headers)
        else:
            await nc.publish(target_subject(prefix, r.subject), data, headers=headers)
        tick(1)
    tick(len(replay.report.skipped))
    await nc.flush()
    await asyncio.sleep(0.2)  # the server reports a refused publish asynchronously
    if nc.last_error is not None and "permissions violation" in str(nc.last_error).lower():
        raise PermissionError(f"the server refused the republish: {nc.last_error}")

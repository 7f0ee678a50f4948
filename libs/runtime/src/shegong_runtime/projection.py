"""Projection runtime: durable pull consumers → read models in PostgreSQL, exactly-once in effect.

Each batch is applied with its tracking rows (processed event ids and the stream sequence) in
one transaction, then acknowledged; a crash between commit and ack means redelivery, which the
tracking rows turn into a no-op. A failing event is retried (its delivery count is the attempt
counter, so restarts do not reset it) and after `projection_max_attempts` goes to the
dead-letter stream with the reason, and the consumer moves on.

Read models live in a schema per generation (`<name>_g<N>`); a rebuild fills generation N+1
from the start of history beside the live one and then swaps the live pointer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from shegong_events import CATALOG, Envelope, UnknownEventType
from shegong_events.subjects import stream_name
from shegong_runtime import deadletter, generations, logging, metrics
from shegong_runtime.bus import DEADLETTER_STREAM
from shegong_runtime.settings import Settings

log = logging.get("projection")


class Projection:
    """A read model: its tables (DDL with `{s}` for the schema) and how each event changes them."""

    name: str = "projection"
    domains: Sequence[str] = ()
    ddl: str = ""

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        raise NotImplementedError

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        """Override where a whole batch can be written in fewer round trips; order is kept."""
        for event in events:
            await self.apply(conn, s, event)


TRACKING_DDL = """
CREATE TABLE IF NOT EXISTS {s}.processed (
    event_id uuid PRIMARY KEY,
    dead boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS {s}.versions (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.failures (
    message text PRIMARY KEY,  -- stream:sequence
    count   integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.checkpoints (
    stream text PRIMARY KEY,
    stream_seq bigint NOT NULL
);
"""


def _causality(msg: Msg) -> dict[str, str]:
    """The event's correlation id, and the event itself as the cause of what is logged next."""
    try:
        event = Envelope.model_validate_json(msg.data)
    except ValidationError:
        return {"stream_seq": str(msg.metadata.sequence.stream)}
    return {"correlation_id": str(event.correlation_id), "causation_id": str(event.event_id)}


async def _defer(msgs: list[Msg]) -> None:
    """Back to the consumer, to come again once their predecessors are applied."""
    for msg in msgs:
        await msg.nak(delay=0.2)


class Undecodable(Exception):
    """The message is not an event this catalog can decode: retrying will not help."""


def decode(msg: Msg) -> Envelope:
    try:
        return CATALOG.upcast(Envelope.model_validate_json(msg.data))
    except (ValidationError, UnknownEventType, ValueError) as exc:
        raise Undecodable(str(exc)[:500]) from exc


@dataclass
class ConsumerState:
    domain: str  # a domain, or "redrive" for the operator's re-driven dead letters
    durable: str
    stream: str
    filter_subject: str
    stream_seq: int = 0
    pending: int = 0
    applied: int = 0
    dead: int = 0
    measured_at: float = 0.0
    tasks: list[asyncio.Task] = field(default_factory=list)


class ProjectionRunner:
    """Runs one projection's consumers for one generation until stopped or caught up."""

    def __init__(
        self,
        projection: Projection,
        pool: asyncpg.Pool,
        nc: Client,
        settings: Settings,
        generation: int | None = None,
    ) -> None:
        self.projection, self.pool, self.nc, self.settings = projection, pool, nc, settings
        self.js = nc.jetstream()
        self.generation = generation
        self.consumers: dict[str, ConsumerState] = {}
        self.running = False
        self._waiting_since: dict[object, float] = {}

    @property
    def schema(self) -> str:
        assert self.generation is not None
        return generations.schema_name(self.projection.name, self.generation)

    def durable(self, domain: str) -> str:
        return f"{self.projection.name}-g{self.generation}-{domain}"

    def sources(self) -> list[tuple[str, str, str]]:
        """(name, stream, filter subject) of each consumer: every domain, and re-driven letters."""
        out = [(d, stream_name(d), f"sw.{d}.>") for d in self.projection.domains]
        out.append(("redrive", DEADLETTER_STREAM, deadletter.redrive_subject(self.projection.name)))
        return out

    async def delete_consumers(self) -> None:
        for domain, stream, _ in self.sources():
            try:
                await self.js.delete_consumer(stream, self.durable(domain))
            except NotFoundError:
                pass

    async def prepare(self) -> None:
        if self.generation is None:
            self.generation = await generations.live(self.pool, self.projection.name)
        await generations.create_schema(
            self.pool, self.schema, self.projection.ddl + TRACKING_DDL
        )
        self.consumers = {}
        for domain, stream, subject in self.sources():
            durable = self.durable(domain)
            await self.js.add_consumer(
                stream,
                ConsumerConfig(
                    durable_name=durable,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=self.settings.projection_ack_wait_s,
                    max_deliver=-1,
                    max_ack_pending=self.settings.projection_batch_size * 4,
                    filter_subject=subject,
                ),
            )
            self.consumers[domain] = ConsumerState(domain, durable, stream, subject)

    async def run(self, stop: asyncio.Event, until_caught_up: bool = False) -> None:
        """Consume every domain; a live runner follows a swap of the live generation."""
        self.running = True
        try:
            while not stop.is_set():
                try:
                    switched_now = await self._run_generation(stop, until_caught_up)
                except Exception as exc:  # bus or database hiccup: start the generation again
                    log.warning("projection.error", projection=self.projection.name, error=repr(exc)[:300])
                    await asyncio.sleep(1.0)
                    continue
                if until_caught_up or not switched_now:
                    return
                log.info("projection.switched", projection=self.projection.name)
                self.generation = None
        finally:
            self.running = False

    async def _run_generation(self, stop: asyncio.Event, until_caught_up: bool) -> bool:
        """Consume until stopped, caught up or the live generation moved (returns True then)."""
        await self.prepare()
        switched = asyncio.Event()
        tasks = [
            asyncio.create_task(self._consume(c, stop, switched, until_caught_up))
            for c in self.consumers.values()
        ]
        if not until_caught_up:
            tasks.append(asyncio.create_task(self._watch_generation(stop, switched)))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for t in done:
            if not t.cancelled() and t.exception() is not None:
                raise t.exception()  # type: ignore[misc]
        return switched.is_set()

    async def _watch_generation(self, stop: asyncio.Event, switched: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(1.0)
            if await generations.live(self.pool, self.projection.name) != self.generation:
                switched.set()
                return

    async def _consume(
        self, state: ConsumerState, stop: asyncio.Event, switched: asyncio.Event, until_caught_up: bool
    ) -> None:
        sub = await self.js.pull_subscribe_bind(durable=state.durable, stream=state.stream)
        try:
            while not stop.is_set() and not switched.is_set():
                try:
                    msgs = await sub.fetch(
                        self.settings.projection_batch_size,
                        timeout=self.settings.projection_fetch_timeout_s,
                    )
                except TimeoutError:
                    msgs = []
                except NotFoundError:  # consumer removed by a swap
                    return
                if msgs:
                    await self.handle_batch(state, msgs)
                now = asyncio.get_running_loop().time()
                if msgs and now - state.measured_at < 1.0:
                    continue  # lag is measured at most once a second while busy
                state.measured_at = now
                info = await self.js.consumer_info(state.stream, state.durable)
                state.pending = info.num_pending + info.num_ack_pending
                metrics.CONSUMER_LAG.labels(state.durable).set(info.num_pending)
                if until_caught_up and not msgs and info.num_pending == 0 and info.num_ack_pending == 0:
                    return
        finally:
            await sub.unsubscribe()

    async def handle_batch(self, state: ConsumerState, msgs: list[Msg]) -> None:
        try:
            done = await self._apply(state, msgs)
        except Exception:
            # one event spoiled the batch: apply one by one to find it, keep order for the rest
            for i, msg in enumerate(msgs):
                with logging.bound(**_causality(msg)):  # log lines name the event they are about
                    try:
                        if await self._apply(state, [msg]) == 0:
                            await _defer(msgs[i:])
                            return
                        await msg.ack()
                    except Exception as exc:
                        if await self._give_up(state, msg, exc):
                            continue
                        for later in msgs[i:]:
                            await later.nak(delay=min(2 ** min(msg.metadata.num_delivered, 6) * 0.1, 5.0))
                        return
        else:
            for msg in msgs[:done]:
                await msg.ack()
            if done < len(msgs):
                await _defer(msgs[done:])

    async def _apply(self, state: ConsumerState, msgs: list[Msg]) -> int:
        """Apply the longest prefix of `msgs` that is in per-aggregate order; returns its length.

        Replicas sharing a durable consumer fetch different batches at once, so an aggregate's
        version N+1 can arrive before N: it waits (the caller defers it) until N is applied.
        Re-driven dead letters pass the gate: their turn came and went.
        """
        events = [decode(m) for m in msgs]
        s = self.schema
        async with self.pool.acquire() as conn, conn.transaction():
            if state.domain == "redrive":
                # only letters dead in this generation: a rebuild replays old re-drives too,
                # and those events come in their turn from the domain stream instead
                ordered = events
                fresh = {
                    r["event_id"]
                    for r in await conn.fetch(
                        f"UPDATE {s}.processed SET dead = false WHERE event_id = any($1::uuid[]) "
                        "AND dead RETURNING event_id",
                        [e.event_id for e in ordered],
                    )
                }
            else:
                ordered = await self._gate(conn, s, events, msgs)
                if not ordered:
                    return 0
                fresh = {
                    r["event_id"]
                    for r in await conn.fetch(
                        f"INSERT INTO {s}.processed (event_id) SELECT unnest($1::uuid[]) "
                        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                        [e.event_id for e in ordered],
                    )
                }
            todo = [e for e in ordered if e.event_id in fresh]
            if self.settings.projection_fault_pause_s and len(todo) > 1:  # crash tests only
                await self.projection.apply_batch(conn, s, todo[: len(todo) // 2])
                log.warning("projection.mid_batch", projection=self.projection.name)
                await asyncio.sleep(self.settings.projection_fault_pause_s)
                todo = todo[len(todo) // 2 :]
            await self.projection.apply_batch(conn, s, todo)
            seq = msgs[len(ordered) - 1].metadata.sequence.stream
            await conn.execute(
                f"INSERT INTO {s}.checkpoints (stream, stream_seq) VALUES ($1, $2) "
                "ON CONFLICT (stream) DO UPDATE SET stream_seq = greatest("
                f"{s}.checkpoints.stream_seq, EXCLUDED.stream_seq)",
                state.domain,
                seq,
            )
        state.stream_seq = max(state.stream_seq, seq)
        state.applied += len(fresh)
        metrics.APPLIED.labels(self.projection.name, state.domain).inc(len(fresh))
        return len(ordered)

    async def _gate(
        self, conn: asyncpg.Connection, s: str, events: list[Envelope], msgs: list[Msg]
    ) -> list[Envelope]:
        """The prefix of `events` whose aggregate versions follow the last applied ones; the
        versions rows stay locked until commit, so two replicas cannot both pass the same gap."""
        keys = sorted({e.stream_id for e in events if e.aggregate_version > 0})
        last = {
            r["stream_id"]: r["version"]
            for r in await conn.fetch(
                f"SELECT stream_id, version FROM {s}.versions WHERE stream_id = any($1::text[]) "
                "ORDER BY stream_id FOR UPDATE",
                keys,
            )
        }
        ordered = []
        for event, msg in zip(events, msgs, strict=True):
            if event.aggregate_version > 0:  # 0: an unversioned event, nothing to gate on
                seen = last.get(event.stream_id, 0)
                if event.aggregate_version > seen + 1 and self._still_waiting(event):
                    break  # its predecessor has not been applied yet
                last[event.stream_id] = max(seen, event.aggregate_version)
                self._waiting_since.pop(event.event_id, None)
            ordered.append(event)
        moved = {k: v for k, v in last.items() if k in keys}
        if moved:
            await conn.execute(
                f"INSERT INTO {s}.versions (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[]) "
                f"ON CONFLICT (stream_id) DO UPDATE SET version = greatest({s}.versions.version, EXCLUDED.version)",
                list(moved),
                list(moved.values()),
            )
        return ordered

    async def _failures(self, msg: Msg) -> int:
        """Count one failed apply of this message; deferrals and batch-mates' naks do not count."""
        key = f"{msg.metadata.stream}:{msg.metadata.sequence.stream}"
        return await self.pool.fetchval(
            f"INSERT INTO {self.schema}.failures AS f (message, count) VALUES ($1, 1) "
            "ON CONFLICT (message) DO UPDATE SET count = f.count + 1 RETURNING count",
            key,
        )

    def _still_waiting(self, event: Envelope) -> bool:
        """Wait for a missing predecessor as long as a crashed replica's unacknowledged copy
        could take to come back (twice the ack wait); after that the gap is taken as final."""
        now = asyncio.get_running_loop().time()
        since = self._waiting_since.setdefault(event.event_id, now)
        if now - since < 2 * self.settings.projection_ack_wait_s + 5:
            return True
        log.warning("projection.gap_accepted", projection=self.projection.name, stream_id=event.stream_id)
        return False

    async def _give_up(self, state: ConsumerState, msg: Msg, exc: Exception) -> bool:
        """Dead-letter the message if it is undecodable or out of attempts; True when it was."""
        attempts = 1 if isinstance(exc, Undecodable) else await self._failures(msg)
        if not isinstance(exc, Undecodable) and attempts < self.settings.projection_max_attempts:
            log.warning(
                "projection.retry",
                projection=self.projection.name,
                attempt=attempts,
                error=type(exc).__name__,
            )
            return False
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        await deadletter.send(self.js, self.projection.name, msg, reason, attempts)
        await self._mark_dead(msg)
        await msg.ack()
        state.dead += 1
        metrics.DEADLETTERED.labels(self.projection.name).inc()
        log.error(
            "projection.deadlettered",
            projection=self.projection.name,
            stream_seq=msg.metadata.sequence.stream,
            error=type(exc).__name__,
        )
        return True

    async def _mark_dead(self, msg: Msg) -> None:
        """Recorded as dead, and its aggregate's later events no longer wait for it."""
        try:
            event = Envelope.model_validate_json(msg.data)
        except ValidationError:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"INSERT INTO {self.schema}.processed (event_id, dead) VALUES ($1, true) "
                "ON CONFLICT (event_id) DO UPDATE SET dead = true",
                event.event_id,
            )
            if event.aggregate_version > 0:
                await conn.execute(
                    f"INSERT INTO {self.schema}.versions VALUES ($1, $2) ON CONFLICT (stream_id) "
                    f"DO UPDATE SET version = greatest({self.schema}.versions.version, EXCLUDED.version)",
                    event.stream_id,
                    event.aggregate_version,
                )


async def rebuild(
    projection: Projection, pool: asyncpg.Pool, nc: Client, settings: Settings, grace_s: float = 3.0
) -> int:
    """Replay all history into the next generation beside the live one, swap, retire the old.

    Live runners notice the swap within a second and continue on the new generation's
    consumers, which already stand where the rebuild caught up: no downtime, no gap.
    """
    old = await generations.live(pool, projection.name)
    new = old + 1
    await generations.drop_schema(pool, generations.schema_name(projection.name, new))
    runner = ProjectionRunner(projection, pool, nc, settings, generation=new)
    await runner.delete_consumers()  # a half-done earlier rebuild starts over
    await runner.run(asyncio.Event(), until_caught_up=True)
    await generations.swap(pool, projection.name, new)
    log.info("projection.rebuilt", projection=projection.name, generation=new)
    await asyncio.sleep(grace_s)
    retired = ProjectionRunner(projection, pool, nc, settings, generation=old)
    await retired.delete_consumers()
    await generations.drop_schema(pool, retired.schema)
    return new

"""Projection runtime: partitions of each domain → read models in PostgreSQL, exactly once in effect.

Input. Each domain's partition stream (`bus.partition_stream_config`) splits its events into P
partitions by a stable hash of the aggregate id; with the operator's re-drive subject they make
a projection's units. Each unit is consumed by one replica at a time (`partitions.Leases`), in
stream order, so an aggregate's events arrive in order by construction and nothing is deferred
for a predecessor. Replicas share the units and rebalance within seconds as they come and go.

Cursor. The checkpoint of a unit (its stream sequence) is written in the transaction that
applies the batch, with the processed event ids. The NATS consumer is only a cursor started at
checkpoint + 1 whenever a replica takes a unit or recovers from an error (no acks, no ack wait):
a crash between commit and the next fetch re-reads what the tracking rows turn into no-ops, and
a new holder never waits for messages a dead one held.

Failures. A failing event is retried in place with backoff, counted in `failures` (a restart
does not reset it), and after `projection_max_attempts` goes to the dead-letter stream with the
reason; the unit moves on. An outage of PostgreSQL or NATS is not the event's fault: the unit
reopens from its checkpoint once the server is back, counting nothing.

Generations. Read models live in a schema per generation (`<name>_g<N>`); a rebuild fills
generation N+1 from the start of history beside the live one and then swaps the live pointer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from shegong_events import CATALOG, Envelope, UnknownEventType

from shegong_runtime import (
    bus,
    deadletter,
    generations,
    identity,
    logging,
    metrics,
    ordering,
    partitions,
    tracing,
)
from shegong_runtime.bus import DEADLETTER_STREAM
from shegong_runtime.partitions import LeaseLost
from shegong_runtime.pulls import Pull
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

REDRIVE = "redrive"
OUTAGES = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    NatsError,
)


def _causality(msg: Msg) -> dict[str, str]:
    """The event's correlation id, and the event itself as the cause of what is logged next."""
    try:
        event = Envelope.model_validate_json(msg.data)
    except ValidationError:
        return {"stream_seq": str(msg.metadata.sequence.stream)}
    return {"correlation_id": str(event.correlation_id), "causation_id": str(event.event_id)}


class CursorShared(Exception):
    """Someone else fetched from this unit's consumer (a replica that lost its lease and had not
    yet noticed): what it took never reaches us, so the cursor starts again at the checkpoint."""


class Undecodable(Exception):
    """The message is not an event this catalog can decode: retrying will not help."""


class NotYetKnown(Exception):
    """An event this release's catalog does not know (a type or schema version a newer release
    publishes): parked until a release that knows it applies it, never dead-lettered."""

    def __init__(self, envelope: Envelope, reason: str) -> None:
        super().__init__(reason)
        self.envelope = envelope


def decode(msg: Msg) -> Envelope:
    try:
        envelope = Envelope.model_validate_json(msg.data)
    except (ValidationError, ValueError) as exc:
        raise Undecodable(str(exc)[:500]) from exc
    try:
        return CATALOG.upcast(envelope)
    except UnknownEventType as exc:
        raise NotYetKnown(envelope, str(exc)[:500]) from exc
    except (ValidationError, ValueError) as exc:
        raise Undecodable(str(exc)[:500]) from exc


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


class ProjectionRunner:
    """Runs one projection for one generation until stopped or caught up.

    `exclusive`: hold every unit without leases (a rebuild, a caught-up run, a lone tool).
    """

    def __init__(
        self,
        projection: Projection,
        pool: asyncpg.Pool,
        nc: Client,
        settings: Settings,
        generation: int | None = None,
        exclusive: bool = False,
    ) -> None:
        self.projection, self.pool, self.nc, self.settings = projection, pool, nc, settings
        self.js = nc.jetstream()
        self.generation = generation
        self.exclusive = exclusive
        self.consumers: dict[str, Unit] = {}
        self.leases: partitions.Leases | None = None
        self.running = False
        self._gaps_checked_at = float("-inf")  # the metric is refreshed every 5 s
        self._alarmed_at: float | None = None  # the log line repeats every projection_gap_alarm_s
        self._epochs: dict[str, set[str]] = {}  # store epochs already recorded, per domain

    @property
    def schema(self) -> str:
        assert self.generation is not None
        return generations.schema_name(self.projection.name, self.generation)

    def consumer_name(self, unit_key: str) -> str:
        assert self.generation is not None
        return bus.consumer_name(self.projection.name, self.generation, unit_key)

    async def units(self) -> list[Unit]:
        """Every partition of every domain read (P as each partition stream was created), and
        the re-drive subject."""
        await bus.ensure_domain_streams(
            self.js, list(self.projection.domains), self.settings, owned=()
        )
        out = []
        for domain in self.projection.domains:
            stream = bus.partition_stream_name(domain)
            count = bus.partitions_of((await self.js.stream_info(stream)).config)
            out += [
                Unit(f"{domain}.p{k}", domain, stream, bus.partition_subject(domain, k))
                for k in range(count)
            ]
        out.append(
            Unit(
                REDRIVE,
                REDRIVE,
                DEADLETTER_STREAM,
                deadletter.redrive_subject(self.projection.name),
            )
        )
        for unit in out:
            unit.consumer = self.consumer_name(unit.key)
        return out

    async def delete_consumers(self) -> None:
        for unit in await self.units():
            try:
                await self.js.delete_consumer(unit.stream, unit.consumer)
            except NotFoundError:
                pass

    async def prepare(self) -> None:
        if self.generation is None:
            self.generation = await generations.live(self.pool, self.projection.name)
        await generations.create_schema(self.pool, self.schema, self.projection.ddl + TRACKING_DDL)
        self.consumers = {u.key: u for u in await self.units()}
        await self.release_known()

    async def run(self, stop: asyncio.Event, until_caught_up: bool = False) -> None:
        """Consume every unit this replica holds; a live runner follows a swap of generations."""
        self.running = True
        try:
            while not stop.is_set():
                try:
                    switched_now = await self._run_generation(stop, until_caught_up)
                except Exception as exc:  # noqa: BLE001 - bus or database hiccup: start the generation again
                    log.warning(
                        "projection.error", projection=self.projection.name, error=repr(exc)[:300]
                    )
                    await _sleep_until(stop, 1.0)
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
        watcher = (
            None if until_caught_up else asyncio.create_task(self._watch_generation(stop, switched))
        )
        try:
            if self.exclusive or until_caught_up:
                halted = _any_set(stop, switched)
                tasks = [
                    asyncio.create_task(self._consume(u, halted, until_caught_up))
                    for u in self.consumers.values()
                ]
                try:
                    await asyncio.gather(*tasks)
                finally:
                    for t in tasks:
                        t.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
            else:
                await self._share(stop, switched)
        finally:
            if watcher is not None:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
        return switched.is_set()

    async def _watch_generation(self, stop: asyncio.Event, switched: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(1.0)
            if await generations.live(self.pool, self.projection.name) != self.generation:
                switched.set()
                return

    async def _share(self, stop: asyncio.Event, switched: asyncio.Event) -> None:
        """Lease units up to this replica's fair share, consume each, hand back the surplus."""
        leases = self.leases = partitions.Leases(
            self.settings.database_url,
            self.projection.name,
            list(self.consumers),
            self.settings.projection_member_ttl_s,
        )
        running: dict[str, tuple[asyncio.Task, asyncio.Event]] = {}

        async def hand_back(key: str) -> None:
            task, halt = running.pop(key)
            halt.set()  # the batch in hand finishes, then the unit is free
            await asyncio.gather(task, return_exceptions=True)
            await leases.release(key)

        try:
            await leases.open()
            halted = _any_set(stop, switched)
            while not halted():
                taken, surplus = await leases.tick()
                for key in surplus:
                    await hand_back(key)
                for key in taken:
                    halt = asyncio.Event()
                    task = asyncio.create_task(
                        self._consume(
                            self.consumers[key], _any_set(stop, switched, halt), False, fenced=True
                        )
                    )
                    running[key] = (task, halt)
                for key, (task, _) in list(running.items()):
                    if task.done():  # lost its lease, or stopped by an error it reported
                        await hand_back(key)
                await self._alarm_gaps()
                await _sleep_until(stop, self.settings.projection_lease_poll_s, switched)
        finally:
            for _, halt in running.values():
                halt.set()
            tasks = [t for t, _ in running.values()]
            if tasks:
                await asyncio.wait(tasks, timeout=10)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            try:
                await leases.close()
            except Exception:  # noqa: BLE001, S110 - the database went away: the session's end frees the locks
                pass
            self.leases = None

    async def _alarm_gaps(self) -> None:
        """A predecessor still missing is an alarm, repeated while it lasts (never a skip)."""
        now = asyncio.get_running_loop().time()
        if now - self._gaps_checked_at < 5.0:
            return
        self._gaps_checked_at = now
        count, age = await ordering.waiting(self.pool, self.schema)
        metrics.WAITING.labels(self.projection.name).set(count)
        if count and (
            self._alarmed_at is None
            or now - self._alarmed_at >= self.settings.projection_gap_alarm_s
        ):
            log.error(
                "projection.gap_open",
                projection=self.projection.name,
                waiting=count,
                oldest_s=round(age, 1),
            )
            self._alarmed_at = now

    async def _behind(self, unit: Unit) -> int:
        """The unit's checkpoint, unless its stream no longer reaches it (restored from an older
        snapshot, lost and published again): then a warning, and the cursor starts over at the
        stream's beginning; the processed ids make what was applied already a no-op."""
        row = await self.pool.fetchrow(
            f"SELECT stream_seq, stream_created FROM {self.schema}.checkpoints WHERE stream = $1",
            unit.key,
        )
        info = await self.js.stream_info(unit.stream)
        created = info.created.isoformat() if info.created else ""
        seq, recorded = (row["stream_seq"], row["stream_created"]) if row else (0, None)
        if seq and (seq > info.state.last_seq or (recorded and created and recorded != created)):
            log.error(
                "projection.checkpoint_ahead",
                projection=self.projection.name,
                unit=unit.key,
                checkpoint=seq,
                stream_last=info.state.last_seq,
                stream_recreated=bool(recorded and recorded != created),
            )
            seq = 0
        if row is None or seq != row["stream_seq"] or recorded != created:
            await self.pool.execute(
                f"INSERT INTO {self.schema}.checkpoints (stream, stream_seq, stream_created) "
                "VALUES ($1, $2, $3) ON CONFLICT (stream) DO UPDATE "
                "SET stream_seq = EXCLUDED.stream_seq, stream_created = EXCLUDED.stream_created",
                unit.key,
                seq,
                created,
            )
        return seq

    async def _open(self, unit: Unit) -> Pull:
        """A fresh cursor at the unit's checkpoint: whatever an earlier holder fetched is moot."""
        seq = await self._behind(unit)
        unit.stream_seq = seq
        try:
            await self.js.delete_consumer(unit.stream, unit.consumer)
        except NotFoundError:
            pass
        info = await self.js.add_consumer(
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
            self.nc,
            unit.stream,
            unit.consumer,
            self.settings.projection_batch_size,
            self.settings.projection_fetch_timeout_s,
        )
        return await pull.open()

    async def _consume(
        self, unit: Unit, halted: Callable[[], bool], until_caught_up: bool, fenced: bool = False
    ) -> None:
        while not halted():
            sub = None
            try:
                sub = await self._open(unit)
                if (
                    until_caught_up and unit.pending == 0
                ):  # nothing to catch up: no wait for a time-out
                    return
                delivered = 0  # the consumer's own count: a jump means another fetched from it
                while not halted():
                    # what has arrived, as soon as one message has: no timer between batches
                    msgs = await sub.take(
                        self.settings.projection_batch_size,
                        self.settings.projection_fetch_timeout_s,
                    )
                    if msgs:
                        first, last = (
                            msgs[0].metadata.sequence.consumer,
                            msgs[-1].metadata.sequence.consumer,
                        )
                        if first != delivered + 1 or last - first + 1 != len(msgs):
                            raise CursorShared(f"deliveries {first}..{last} after {delivered}")
                        delivered = last
                        unit.received += len(msgs)
                        metrics.RECEIVED.labels(self.projection.name, unit.domain).inc(len(msgs))
                        await self.handle_batch(unit, msgs, fenced)
                        unit.pending = msgs[-1].metadata.num_pending
                        if until_caught_up and unit.pending == 0:
                            return
                    else:
                        info = await self.js.consumer_info(unit.stream, unit.consumer)
                        unit.pending = info.num_pending
                        if until_caught_up and unit.pending == 0:
                            return
                    metrics.CONSUMER_LAG.labels(unit.consumer).set(unit.pending)
            except LeaseLost:
                log.info("projection.lease_lost", projection=self.projection.name, unit=unit.key)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an outage or a removed consumer: reopen from the checkpoint
                log.warning(
                    "projection.unit_error",
                    projection=self.projection.name,
                    unit=unit.key,
                    error=type(exc).__name__,
                )
                await asyncio.sleep(0.5)
            finally:
                if sub is not None:
                    try:
                        await sub.close()
                    except Exception:  # noqa: BLE001, S110 - a supervisor loop: whatever failed, the unit or batch starts again
                        pass

    async def handle_batch(self, unit: Unit, msgs: list[Msg], fenced: bool = False) -> None:
        try:
            await self._apply(unit, msgs, fenced)
            return
        except (LeaseLost, *OUTAGES):
            raise
        except Exception:  # noqa: BLE001, S110 - one event spoiled the batch: find it below
            pass  # apply one by one, in order, to find the event
        for msg in msgs:
            with logging.bound(**_causality(msg)):  # log lines name the event they are about
                await self._apply_alone(unit, msg, fenced)

    async def _apply_alone(self, unit: Unit, msg: Msg, fenced: bool) -> None:
        """Retry one event in place until it applies or is dead-lettered; order is kept."""
        while True:
            try:
                await self._apply(unit, [msg], fenced)
                return
            except (LeaseLost, *OUTAGES):
                raise
            except NotYetKnown as exc:
                await self._park_unknown(unit, msg, exc, fenced)
                return
            except Exception as exc:  # noqa: BLE001 - a supervisor loop: whatever failed, the unit or batch starts again
                attempts = await self._give_up(unit, msg, exc, fenced)
                if attempts is None:
                    return
                await asyncio.sleep(min(0.1 * 2**attempts, 5.0))

    @asynccontextmanager
    async def _fenced(self, unit: Unit, fenced: bool) -> AsyncIterator[asyncpg.Connection]:
        """A transaction that still holds the unit's lease when leases fence this runner: a
        replica that lost the partition meanwhile writes nothing."""
        async with self.pool.acquire() as conn, conn.transaction():
            if fenced:
                assert self.leases is not None
                await partitions.check_owner(
                    conn, self.projection.name, unit.key, self.leases.member
                )
            yield conn

    async def _apply(self, unit: Unit, msgs: list[Msg], fenced: bool) -> None:
        started_ns = time.time_ns()
        events = [decode(m) for m in msgs]
        s = self.schema
        async with self._fenced(unit, fenced) as conn:
            if unit.domain == REDRIVE:
                # only letters dead in this generation: a rebuild replays old re-drives too,
                # and those events come in their turn from the domain stream instead
                fresh = await self._ids(
                    conn,
                    f"UPDATE {s}.processed SET dead = false WHERE event_id = any($1::uuid[]) "
                    "AND dead RETURNING event_id",
                    events,
                )
                todo, versions = [e for e in events if e.event_id in fresh], {}
            else:
                turn = await ordering.admit(
                    conn, s, unit.key, events, self.settings.stream_max_age_s > 0
                )
                todo, versions = turn.admitted, turn.versions
            await self.projection.apply_batch(conn, s, todo)
            await self._note_epochs(conn, unit, msgs)
            await self._checkpoint(conn, unit, msgs[-1].metadata.sequence.stream, versions)
        unit.applied += len(todo)
        metrics.APPLIED.labels(self.projection.name, unit.domain).inc(len(todo))
        tracing.record_events(
            f"projection.applied {self.projection.name}",
            todo,
            started_ns,
            **{"shegong.projection": self.projection.name},
        )

    async def _note_epochs(self, conn: asyncpg.Connection, unit: Unit, msgs: list[Msg]) -> None:
        """Record the first message of each store epoch of a domain: a new epoch after others
        is a store that was restored (and reconciled with its stream) and goes on from there."""
        seen = self._epochs.setdefault(unit.domain, set())
        for msg in msgs:
            epoch = (msg.headers or {}).get(identity.HEADER)
            if not epoch or epoch in seen:
                continue
            first = await conn.fetchval(
                f"INSERT INTO {self.schema}.store_epochs (domain, epoch, first_seq) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING first_seq",
                unit.domain,
                epoch,
                msg.metadata.sequence.stream,
            )
            if first is not None and seen:
                log.warning(
                    "projection.store_epoch",
                    projection=self.projection.name,
                    domain=unit.domain,
                    epoch=epoch,
                    stream_seq=first,
                )
            seen.add(epoch)

    @staticmethod
    async def _ids(conn: asyncpg.Connection, sql: str, events: list[Envelope]) -> set:
        return {r["event_id"] for r in await conn.fetch(sql, [e.event_id for e in events])}

    async def _checkpoint(
        self, conn: asyncpg.Connection, unit: Unit, seq: int, versions: dict[str, int] | None = None
    ) -> None:
        """The unit's checkpoint, and the versions the batch reached: one statement."""
        await conn.execute(
            ordering.record_versions_cte(self.schema, "$3", "$4")
            + f"INSERT INTO {self.schema}.checkpoints (stream, stream_seq) VALUES ($1, $2) "
            "ON CONFLICT (stream) DO UPDATE SET stream_seq = greatest("
            f"{self.schema}.checkpoints.stream_seq, EXCLUDED.stream_seq)",
            unit.key,
            seq,
            list(versions or ()),
            list((versions or {}).values()),
        )
        unit.stream_seq = max(unit.stream_seq, seq)

    async def _failures(self, msg: Msg) -> int:
        """Count one failed apply of this message; a restart does not reset the count."""
        key = f"{msg.metadata.stream}:{msg.metadata.sequence.stream}"
        return await self.pool.fetchval(
            f"INSERT INTO {self.schema}.failures AS f (message, count) VALUES ($1, 1) "
            "ON CONFLICT (message) DO UPDATE SET count = f.count + 1 RETURNING count",
            key,
        )

    async def _give_up(self, unit: Unit, msg: Msg, exc: Exception, fenced: bool) -> int | None:
        """Dead-letter the message if it is undecodable or out of attempts (None then);
        else the attempts so far."""
        attempts = 1 if isinstance(exc, Undecodable) else await self._failures(msg)
        if not isinstance(exc, Undecodable) and attempts < self.settings.projection_max_attempts:
            log.warning(
                "projection.retry",
                projection=self.projection.name,
                attempt=attempts,
                error=type(exc).__name__,
            )
            return attempts
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        await deadletter.send(self.js, self.projection.name, msg, reason, attempts)
        await self._mark_dead(unit, msg, fenced)
        unit.dead += 1
        metrics.DEADLETTERED.labels(self.projection.name).inc()
        log.error(
            "projection.deadlettered",
            projection=self.projection.name,
            stream_seq=msg.metadata.sequence.stream,
            error=type(exc).__name__,
        )
        return None

    async def _park_unknown(self, unit: Unit, msg: Msg, exc: NotYetKnown, fenced: bool) -> None:
        """Keep an event this release cannot read with the parked ones and move past it: its
        aggregate's later events wait behind it (a gap, alarmed) until a release that knows
        the type starts and applies it (`release_known`)."""
        event = exc.envelope
        s = self.schema
        async with self._fenced(unit, fenced) as conn:
            if unit.domain != REDRIVE:
                await conn.execute(
                    f"INSERT INTO {s}.parked (stream_id, version, unit, envelope) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, version) DO NOTHING",
                    event.stream_id,
                    event.aggregate_version,
                    unit.key,
                    msg.data.decode(),
                )
            await self._checkpoint(conn, unit, msg.metadata.sequence.stream)
        log.warning(
            "projection.unknown_type_parked",
            projection=self.projection.name,
            event_type=event.event_type,
            schema_version=event.schema_version,
            stream_seq=msg.metadata.sequence.stream,
            reason=str(exc),
        )

    async def release_known(self) -> int:
        """Apply parked events this release knows and whose predecessor is applied (those a
        previous release parked as unknown), with the successors they free; returns how many."""
        s = self.schema
        applied = 0
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"SELECT p.stream_id, p.version, p.unit, p.envelope FROM {s}.parked p "
                f"LEFT JOIN {s}.versions v USING (stream_id) "
                "WHERE p.version = coalesce(v.version, 0) + 1 ORDER BY p.stream_id"
            )
            for row in rows:
                try:
                    event = CATALOG.upcast(Envelope.model_validate_json(row["envelope"]))
                except (UnknownEventType, ValidationError, ValueError):
                    continue  # still unknown here: it waits for a newer release
                await conn.execute(
                    f"DELETE FROM {s}.parked WHERE stream_id = $1 AND version = $2",
                    row["stream_id"],
                    row["version"],
                )
                turn = await ordering.admit(conn, s, row["unit"], [event], False)
                await self.projection.apply_batch(conn, s, turn.admitted)
                await ordering.record(conn, s, turn.versions)
                applied += len(turn.admitted)
        if applied:
            log.info("projection.parked_released", projection=self.projection.name, applied=applied)
        return applied

    async def _mark_dead(self, unit: Unit, msg: Msg, fenced: bool) -> None:
        """Recorded as dead, the unit moves past it, and successors it held back apply now."""
        try:
            event = Envelope.model_validate_json(msg.data)
        except ValidationError:
            event = None
        s = self.schema
        async with self._fenced(unit, fenced) as conn:
            if event is not None and unit.domain != REDRIVE:
                await conn.execute(
                    f"INSERT INTO {s}.processed (event_id, dead) VALUES ($1, true) "
                    "ON CONFLICT (event_id) DO UPDATE SET dead = true",
                    event.event_id,
                )
                await self.projection.apply_batch(conn, s, await ordering.skip_dead(conn, s, event))
            await self._checkpoint(conn, unit, msg.metadata.sequence.stream)


def _any_set(*events: asyncio.Event) -> Callable[[], bool]:
    return lambda: any(e.is_set() for e in events)


async def _sleep_until(stop: asyncio.Event, seconds: float, *more: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in (stop, *more)]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


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
    runner = ProjectionRunner(projection, pool, nc, settings, generation=new, exclusive=True)
    await runner.delete_consumers()  # a half-done earlier rebuild starts over
    await runner.run(asyncio.Event(), until_caught_up=True)
    await generations.swap(pool, projection.name, new)
    log.info("projection.rebuilt", projection=projection.name, generation=new)
    await asyncio.sleep(grace_s)
    retired = ProjectionRunner(projection, pool, nc, settings, generation=old)
    await retired.delete_consumers()
    await generations.drop_schema(pool, retired.schema)
    return new

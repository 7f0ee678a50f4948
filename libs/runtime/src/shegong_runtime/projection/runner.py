"""The runner: one projection, one generation, the units this replica holds, consumed in order.

Input. Each domain's partition stream (`bus.partition_stream_config`) splits its events into P
partitions by a stable hash of the aggregate id; with the operator's re-drive subject they make
a projection's units (`units`). Each unit is consumed by one replica at a time
(`partitions.Leases`), in stream order, so an aggregate's events arrive in order by
construction and nothing is deferred for a predecessor. Replicas share the units and rebalance
within seconds as they come and go; a runner run `exclusive` (a rebuild, a lone tool) holds
every unit without leases.

The runner only moves messages: each batch is applied with its checkpoint in one transaction
(`batches`), and an event that will not apply is retried, dead-lettered or parked
(`failures`). An error of the bus or the database reopens the unit from its checkpoint. A live
runner follows a swap of generations (`generations`, `rebuilds`) within a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from shegong_runtime import bus, deadletter, generations, logging, metrics, ordering, partitions
from shegong_runtime.bus import DEADLETTER_STREAM
from shegong_runtime.partitions import LeaseLost
from shegong_runtime.pauses import pause
from shegong_runtime.projection.base import TRACKING_DDL, Projection
from shegong_runtime.projection.batches import Batches
from shegong_runtime.projection.failures import Failures
from shegong_runtime.projection.units import REDRIVE, Unit, open_cursor
from shegong_runtime.settings import Settings

log = logging.get("projection")


class CursorShared(Exception):
    """Someone else fetched from this unit's consumer (a replica that lost its lease and had not
    yet noticed): what it took never reaches us, so the cursor starts again at the checkpoint."""


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
        self.projection = projection.bind(pool, settings)
        self.pool, self.nc, self.settings = pool, nc, settings
        self.js = nc.jetstream()
        self.generation = generation
        self.exclusive = exclusive
        self.consumers: dict[str, Unit] = {}
        self.leases: partitions.Leases | None = None
        self.running = False
        self._gaps_checked_at = float("-inf")  # the metric is refreshed every 5 s
        self._alarmed_at: float | None = None  # the log line repeats every projection_gap_alarm_s
        self.batches = Batches(self)
        self.failures = Failures(self)

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
        await self.failures.release_known()

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
                    await pause(stop, 1.0)
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
        running: dict[str, tuple[asyncio.Task[None], asyncio.Event]] = {}

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
                await pause(stop, self.settings.projection_lease_poll_s, switched)
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

    async def _consume(
        self, unit: Unit, halted: Callable[[], bool], until_caught_up: bool, fenced: bool = False
    ) -> None:
        while not halted():
            sub = None
            try:
                sub = await open_cursor(self, unit)
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
                        await self.batches.handle(unit, msgs, fenced)
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


def _any_set(*events: asyncio.Event) -> Callable[[], bool]:
    return lambda: any(e.is_set() for e in events)

"""A batch applied exactly once in effect: its rows, its checkpoint and its tracking in one
transaction.

A batch that fails is applied again one event at a time, in order, to find the event that
spoiled it; that event is retried in place with backoff until it applies, is parked
(`NotYetKnown`) or is given up (`failures`). An outage of PostgreSQL or NATS is not the
event's fault, and neither is a lost lease: both go up to the runner, which reopens the unit
from its checkpoint after an outage and hands it back when the lease is lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import asyncpg
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from shegong_events import Envelope

from shegong_runtime import identity, logging, metrics, ordering, partitions, tracing
from shegong_runtime.partitions import LeaseLost
from shegong_runtime.projection.decoding import NotYetKnown, causality, decode
from shegong_runtime.projection.units import REDRIVE, Unit

if TYPE_CHECKING:
    from shegong_runtime.projection.runner import ProjectionRunner

log = logging.get("projection")

OUTAGES = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    NatsError,
)


class Batches:
    """How one runner writes: batches, their checkpoints and the store epochs they carry."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner
        self._epochs: dict[str, set[str]] = {}  # store epochs already recorded, per domain

    async def handle(self, unit: Unit, msgs: list[Msg], fenced: bool = False) -> None:
        try:
            await self.apply(unit, msgs, fenced)
            return
        except (LeaseLost, *OUTAGES):
            raise
        except Exception:  # noqa: BLE001, S110 - one event spoiled the batch: find it below
            pass  # apply one by one, in order, to find the event
        for msg in msgs:
            with logging.bound(**causality(msg)):  # log lines name the event they are about
                await self._apply_alone(unit, msg, fenced)

    async def _apply_alone(self, unit: Unit, msg: Msg, fenced: bool) -> None:
        """Retry one event in place until it applies or is dead-lettered; order is kept."""
        while True:
            try:
                await self.apply(unit, [msg], fenced)
                return
            except (LeaseLost, *OUTAGES):
                raise
            except NotYetKnown as exc:
                await self.runner.failures.park_unknown(unit, msg, exc, fenced)
                return
            except Exception as exc:  # noqa: BLE001 - a supervisor loop: whatever failed, the unit or batch starts again
                attempts = await self.runner.failures.give_up(unit, msg, exc, fenced)
                if attempts is None:
                    return
                await asyncio.sleep(min(0.1 * 2**attempts, 5.0))

    @asynccontextmanager
    async def fenced(self, unit: Unit, fenced: bool) -> AsyncIterator[asyncpg.Connection]:
        """A transaction that still holds the unit's lease when leases fence this runner: a
        replica that lost the partition meanwhile writes nothing."""
        runner = self.runner
        async with runner.pool.acquire() as conn, conn.transaction():
            if fenced:
                assert runner.leases is not None
                await partitions.check_owner(
                    conn, runner.projection.name, unit.key, runner.leases.member
                )
            yield conn

    async def apply(self, unit: Unit, msgs: list[Msg], fenced: bool) -> None:
        runner = self.runner
        started_ns = time.time_ns()
        events = [decode(m) for m in msgs]
        s = runner.schema
        async with self.fenced(unit, fenced) as conn:
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
                    conn, s, unit.key, events, runner.settings.stream_max_age_s > 0
                )
                todo, versions = turn.admitted, turn.versions
            await runner.projection.apply_batch(conn, s, todo)
            await self._note_epochs(conn, unit, msgs)
            await self.checkpoint(conn, unit, msgs[-1].metadata.sequence.stream, versions)
        unit.applied += len(todo)
        metrics.APPLIED.labels(runner.projection.name, unit.domain).inc(len(todo))
        tracing.record_events(
            f"projection.applied {runner.projection.name}",
            todo,
            started_ns,
            **{"shegong.projection": runner.projection.name},
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
                f"INSERT INTO {self.runner.schema}.store_epochs (domain, epoch, first_seq) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING first_seq",
                unit.domain,
                epoch,
                msg.metadata.sequence.stream,
            )
            if first is not None and seen:
                log.warning(
                    "projection.store_epoch",
                    projection=self.runner.projection.name,
                    domain=unit.domain,
                    epoch=epoch,
                    stream_seq=first,
                )
            seen.add(epoch)

    @staticmethod
    async def _ids(conn: asyncpg.Connection, sql: str, events: list[Envelope]) -> set[Any]:
        return {r["event_id"] for r in await conn.fetch(sql, [e.event_id for e in events])}

    async def checkpoint(
        self, conn: asyncpg.Connection, unit: Unit, seq: int, versions: dict[str, int] | None = None
    ) -> None:
        """The unit's checkpoint, and the versions the batch reached: one statement."""
        s = self.runner.schema
        await conn.execute(
            ordering.record_versions_cte(s, "$3", "$4")
            + f"INSERT INTO {s}.checkpoints (stream, stream_seq) VALUES ($1, $2) "
            "ON CONFLICT (stream) DO UPDATE SET stream_seq = greatest("
            f"{s}.checkpoints.stream_seq, EXCLUDED.stream_seq)",
            unit.key,
            seq,
            list(versions or ()),
            list((versions or {}).values()),
        )
        unit.stream_seq = max(unit.stream_seq, seq)

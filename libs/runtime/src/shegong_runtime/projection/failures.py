"""What a runner does with an event that will not apply: count the attempts, dead-letter it,
or park it for a newer release.

A failing event counts its attempts in the generation's `failures` table (a restart does not
reset them); after `projection_max_attempts`, or at once when it cannot be decoded, it goes to
the dead-letter stream with the reason, is recorded as dead, and the unit moves past it. An
event of a type this release does not know is parked instead and applied by the first release
that knows it (`release_known`, run whenever a runner prepares a generation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nats.aio.msg import Msg
from pydantic import ValidationError
from shegong_events import CATALOG, Envelope, UnknownEventType

from shegong_runtime import deadletter, logging, metrics, ordering
from shegong_runtime.projection.decoding import NotYetKnown, Undecodable
from shegong_runtime.projection.units import REDRIVE, Unit

if TYPE_CHECKING:
    from shegong_runtime.projection.runner import ProjectionRunner

log = logging.get("projection")


class Failures:
    """One runner's failing events: retried, dead-lettered or parked."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner

    async def count(self, msg: Msg) -> int:
        """Count one failed apply of this message; a restart does not reset the count."""
        key = f"{msg.metadata.stream}:{msg.metadata.sequence.stream}"
        return await self.runner.pool.fetchval(
            f"INSERT INTO {self.runner.schema}.failures AS f (message, count) VALUES ($1, 1) "
            "ON CONFLICT (message) DO UPDATE SET count = f.count + 1 RETURNING count",
            key,
        )

    async def give_up(self, unit: Unit, msg: Msg, exc: Exception, fenced: bool) -> int | None:
        """Dead-letter the message if it is undecodable or out of attempts (None then);
        else the attempts so far."""
        runner = self.runner
        attempts = 1 if isinstance(exc, Undecodable) else await self.count(msg)
        if not isinstance(exc, Undecodable) and attempts < runner.settings.projection_max_attempts:
            log.warning(
                "projection.retry",
                projection=runner.projection.name,
                attempt=attempts,
                error=type(exc).__name__,
            )
            return attempts
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        await deadletter.send(runner.js, runner.projection.name, msg, reason, attempts)
        await self.mark_dead(unit, msg, fenced)
        unit.dead += 1
        metrics.DEADLETTERED.labels(runner.projection.name).inc()
        log.error(
            "projection.deadlettered",
            projection=runner.projection.name,
            stream_seq=msg.metadata.sequence.stream,
            error=type(exc).__name__,
        )
        return None

    async def mark_dead(self, unit: Unit, msg: Msg, fenced: bool) -> None:
        """Recorded as dead, the unit moves past it, and successors it held back apply now."""
        runner = self.runner
        try:
            event = Envelope.model_validate_json(msg.data)
        except ValidationError:
            event = None
        s = runner.schema
        async with runner.batches.fenced(unit, fenced) as conn:
            if event is not None and unit.domain != REDRIVE:
                await conn.execute(
                    f"INSERT INTO {s}.processed (event_id, dead) VALUES ($1, true) "
                    "ON CONFLICT (event_id) DO UPDATE SET dead = true",
                    event.event_id,
                )
                await runner.projection.apply_batch(
                    conn, s, await ordering.skip_dead(conn, s, event)
                )
            await runner.batches.checkpoint(conn, unit, msg.metadata.sequence.stream)

    async def park_unknown(self, unit: Unit, msg: Msg, exc: NotYetKnown, fenced: bool) -> None:
        """Keep an event this release cannot read with the parked ones and move past it: its
        aggregate's later events wait behind it (a gap, alarmed) until a release that knows
        the type starts and applies it (`release_known`)."""
        runner = self.runner
        event = exc.envelope
        s = runner.schema
        async with runner.batches.fenced(unit, fenced) as conn:
            if unit.domain != REDRIVE:
                await conn.execute(
                    f"INSERT INTO {s}.parked (stream_id, version, unit, envelope) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, version) DO NOTHING",
                    event.stream_id,
                    event.aggregate_version,
                    unit.key,
                    msg.data.decode(),
                )
            await runner.batches.checkpoint(conn, unit, msg.metadata.sequence.stream)
        log.warning(
            "projection.unknown_type_parked",
            projection=runner.projection.name,
            event_type=event.event_type,
            schema_version=event.schema_version,
            stream_seq=msg.metadata.sequence.stream,
            reason=str(exc),
        )

    async def release_known(self) -> int:
        """Apply parked events this release knows and whose predecessor is applied (those a
        previous release parked as unknown), with the successors they free; returns how many."""
        runner = self.runner
        s = runner.schema
        applied = 0
        async with runner.pool.acquire() as conn, conn.transaction():
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
                await runner.projection.apply_batch(conn, s, turn.admitted)
                await ordering.record(conn, s, turn.versions)
                applied += len(turn.admitted)
        if applied:
            log.info(
                "projection.parked_released", projection=runner.projection.name, applied=applied
            )
        return applied

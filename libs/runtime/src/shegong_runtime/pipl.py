"""A data subject's rights under PIPL, the same way in every service: erasure (the subject's key
destroyed in the erasure event's own transaction, with the answers of requests that sealed for
it) and a copy of their data (export) as JSON, opened for the person or an authorised officer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from shegong_events import Envelope
from shegong_events.erasure import ErasureReason

from shegong_runtime.auth import MANAGERS
from shegong_runtime.crypto import KeyStore, is_sealed
from shegong_runtime.errors import Conflict
from shegong_runtime.eventstore import EventStore
from shegong_runtime.inputs import RequestModel

# who may erase a person or take out a copy of their data (`auth.MANAGERS`): never a social
# worker alone, an integrator or an operator; the old name stays importable
ERASERS = MANAGERS


class Erase(RequestModel):
    """The body of every erasure request (the shared input policy, like every request body)."""

    reason: ErasureReason


class SubjectAlreadyErased(Conflict):
    """This person's data was erased already; there is nothing left to erase or export."""


async def require_not_erased(keys: KeyStore, subject_id: str) -> None:
    if await keys.pool.fetchval(
        f"SELECT 1 FROM {keys.schema}.erased_subjects WHERE subject_id = $1", subject_id
    ):
        raise SubjectAlreadyErased(f"{subject_id} 的个人信息已删除")


def destroy_key(
    keys: KeyStore, subject_id: str
) -> Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]:
    """An `after_append` hook: the key goes in the transaction that appends the erasure event."""

    async def destroy(conn: asyncpg.Connection, _envelopes: list[Envelope]) -> None:
        await keys.erase(subject_id, conn=conn)

    return destroy


def now() -> datetime:
    return datetime.now(UTC)


async def _opened(keys: KeyStore, subject_id: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k.removesuffix("_sealed"): await _opened(keys, subject_id, v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [await _opened(keys, subject_id, v) for v in value]
    if is_sealed(value):
        return await keys.open_or_redacted(subject_id, value)
    return value


async def export(
    store: EventStore, keys: KeyStore, subject_id: str, stream_ids: list[str]
) -> dict[str, Any]:
    """The person's copy: every event of their streams, sealed fields opened under their key."""
    await require_not_erased(keys, subject_id)
    events = []
    for stream_id in stream_ids:
        for env in await store.load(stream_id):
            events.append(
                {
                    "event_type": env.event_type,
                    "occurred_at": env.occurred_at.isoformat(),
                    "recorded_at": env.recorded_at.isoformat(),
                    "station_id": env.station_id,
                    "facts": await _opened(keys, subject_id, env.data),
                }
            )
    return {"subject_id": subject_id, "exported_at": now().isoformat(), "events": events}

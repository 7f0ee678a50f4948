"""The two routes of a data subject's rights (PIPL), the same in every service: erasure, a
command whose event destroys the subject's key in its own transaction, and export, a copy of
everything recorded about them with the sealed fields opened. Erasure is one order to the one command path (`Order(..., subject=..., erases=True)` sent
by the command request); export names the subject and the streams, and its checks and steps
live here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from pydantic import BaseModel, Field
from shegong_events import Envelope

from shegong_runtime import pipl
from shegong_runtime.auth import Principal
from shegong_runtime.service import Runtime

C = TypeVar("C")
S = TypeVar("S")


class ExportedEvent(BaseModel):
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    station_id: str
    facts: dict[str, Any] = Field(description="the event's facts, sealed fields opened")


class PersonalDataCopy(BaseModel):
    """A person's copy of their data (PIPL), as JSON."""

    subject_id: str
    exported_at: datetime
    events: list[ExportedEvent]


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": PersonalDataCopy},
    409: {"description": "the person's data was erased already"},
}


AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]


async def export(
    rt: Runtime,
    who: Principal,
    station_id: str,
    subject: str,
    stream_ids: list[str],
    found: Callable[[], Awaitable[None]] | None = None,
    *,
    checked: bool = False,
) -> dict[str, Any]:
    """A subject's copy of their data: scope (unless the route `checked` a scope of its own),
    then `found` (raises the 404 of an unknown record), not erased (409), their streams opened."""
    store, keys = rt.events, rt.sealing
    if not checked:
        await rt.stations.check_read(who, station_id)
    if found is not None:
        await found()
    return await pipl.export(store, keys, subject, stream_ids)

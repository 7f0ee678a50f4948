"""Running one command from a route: on which aggregate, checked how, answered with what."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import asyncpg
from fastapi.responses import JSONResponse
from shegong_events import DomainEvent, Envelope
from shegong_runtime.commands import Aggregate, Answer, CommandContext, execute
from shegong_runtime.http import respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime

from shegong_engagement.domain.aggregates import MEETING, VOLUNTEER
from shegong_engagement.domain.clock import noon
from shegong_engagement.domain.meeting import require_meeting
from shegong_engagement.domain.volunteer import require_volunteer

S = TypeVar("S")
AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]


def occurred_on(day: date | None) -> datetime | None:
    """Noon of the day a command says a fact happened; None (now) when it does not say."""
    return noon(day) if day else None


async def command(
    rt: Runtime,
    aggregate: Aggregate[S],
    aggregate_id: str,
    station_id: Identifier,
    ctx: CommandContext,
    decide: Callable[[S], Sequence[DomainEvent]],
    answer: Callable[[list[Envelope], S], Answer],
    occurred_at: datetime | None = None,
    after_append: AfterAppend | None = None,
) -> JSONResponse:
    """Run one command on an aggregate and send its answer (the first one again on a retry)."""
    done = await execute(
        rt.store,
        aggregate,
        aggregate_id,
        station_id,
        ctx,
        lambda state, _version: decide(state),
        answer,
        occurred_at=occurred_at,
        after_append=after_append,
    )
    return respond(done)


def on_existing(
    aggregate: Aggregate[S], require: Callable[[S, str, str], None]
) -> Callable[..., Awaitable[JSONResponse]]:
    """`command` for an aggregate that must exist at the station: `require` raises the 404."""

    async def run(
        rt: Runtime,
        aggregate_id: str,
        station_id: str,
        ctx: CommandContext,
        decide: Callable[[S], Sequence[DomainEvent]],
        answer: Callable[[list[Envelope], S], Answer],
        occurred_at: datetime | None = None,
        after_append: AfterAppend | None = None,
    ) -> JSONResponse:
        def checked(state: S) -> Sequence[DomainEvent]:
            require(state, station_id, aggregate_id)
            return decide(state)

        return await command(
            rt, aggregate, aggregate_id, station_id, ctx, checked, answer, occurred_at, after_append
        )

    return run


meeting_command = on_existing(MEETING, require_meeting)
volunteer_command = on_existing(VOLUNTEER, require_volunteer)


def answered(
    status: int, id_field: str, **extra: Callable[[list[Envelope]], Any]
) -> Callable[..., Answer]:
    """The answer to a command: the aggregate id, its new version, and any extras from the events."""

    def answer(events: list[Envelope], _state: object) -> Answer:
        body: dict[str, Any] = {
            id_field: events[0].aggregate_id if events else None,
            "version": events[-1].aggregate_version if events else None,
            "events": [e.event_type for e in events],
        }
        body.update({k: pick(events) for k, pick in extra.items()})
        return Answer(status, body)

    return answer


def last_data(key: str) -> Callable[[list[Envelope]], Any]:
    return lambda events: events[-1].data.get(key) if events else None

"""The old route-side command calls, kept only because `personal_data.py` still imports them;
they run on the one command path (`commands.handle`), a lambda standing in for the command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from fastapi.responses import JSONResponse
from shegong_events import DomainEvent, Envelope
from shegong_runtime.commands import Answer, CommandContext, handle
from shegong_runtime.decider import Decider
from shegong_runtime.http import respond
from shegong_runtime.service import Runtime

from shegong_engagement.domain.meeting import MEETING, require_meeting
from shegong_engagement.domain.volunteer import VOLUNTEER, require_volunteer
from shegong_engagement.entrypoints.http.answers import answered

__all__ = ["answered", "meeting_command", "volunteer_command"]

Decide = Callable[[Any], Sequence[DomainEvent]]


class _Checked(Decider[Decide, Any]):
    """A decider whose command is a function of the state, after the aggregate's own check."""

    def __init__(self, decider: Decider[Any, Any], require: Callable[[Any], None]) -> None:
        self.decider, self.require = decider, require
        self.aggregate_type = decider.aggregate_type

    def initial(self) -> Any:
        return self.decider.initial()

    def evolve(self, state: Any, event: DomainEvent, envelope: Envelope) -> Any:
        return self.decider.evolve(state, event, envelope)

    def decide(self, command: Decide, state: Any) -> Sequence[DomainEvent]:
        self.require(state)
        return command(state)


def _on(decider: Decider[Any, Any], require: Callable[[Any, str, str], None]):  # type: ignore[no-untyped-def]
    async def run(
        rt: Runtime,
        aggregate_id: str,
        station_id: str,
        ctx: CommandContext,
        decide: Decide,
        answer: Callable[[list[Envelope], Any], Answer],
        after_append: Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]] | None = None,
    ) -> JSONResponse:
        checked = _Checked(decider, lambda state: require(state, station_id, aggregate_id))
        done = await handle(
            rt.store, checked, aggregate_id, decide, station_id=station_id, ctx=ctx,
            respond=answer, after_append=after_append,
        )
        return respond(done)

    return run


meeting_command = _on(MEETING, require_meeting)
volunteer_command = _on(VOLUNTEER, require_volunteer)

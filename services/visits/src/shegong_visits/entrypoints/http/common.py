"""What the household routes share: the household a command goes to (scope, If-Match, replay,
the answer) and a station listing's scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends
from fastapi.responses import JSONResponse
from shegong_events import Envelope
from shegong_runtime import pipl
from shegong_runtime.auth import READERS, WRITERS, Principal, requires
from shegong_runtime.commands import Respond, answer, event_types, load, version_of
from shegong_runtime.http import CommandRequest, command_request, expected_version
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime

from shegong_visits import config, personal
from shegong_visits.domain.commands import HouseholdCommand
from shegong_visits.domain.state import Household, HouseholdNotFound, require_active

AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]
Sealer = Callable[[str | None], Awaitable[str | None]]


async def household_in_scope(
    rt: Runtime, who: Principal, household_id: str, *, write: bool = False
) -> tuple[Household, int]:
    """The household and its version (404 when unknown), if the caller's scope reaches its station (403)."""
    state, version = await load(rt.store, config.households(), household_id)
    if not state.registered:
        raise HouseholdNotFound(f"未登记的家庭 {household_id}")
    check = rt.stations.check_write if write else rt.stations.check_read
    await check(who, state.station_id)
    return state, version


def _next_due(_envelopes: list[Envelope], state: Household) -> str | None:
    return state.next_due_at.isoformat() if state.next_due_at else None


def answered(household_id: str, status: int, **extra: Any) -> Respond:
    """The answer to a household command: its id, new version, events and next due time."""
    return answer(
        status,
        household_id=household_id,
        version=version_of,
        events=event_types,
        next_due_at=_next_due,
        **extra,
    )


@dataclass
class HouseholdCommands:
    """A command on one existing household, as the caller sent it: opened (If-Match read, scope
    checked) before the command is built, handled through the one command path."""

    call: CommandRequest
    household_id: str
    state: Household | None = None
    version: int = 0
    expected: int | None = None

    @property
    def rt(self) -> Runtime:
        return self.call.rt

    async def open(self) -> Household:
        if self.state is None:
            self.expected = expected_version(self.call.request)
            self.state, self.version = await household_in_scope(
                self.rt, self.call.who, self.household_id, write=True
            )
        return self.state

    async def seal(self, value: str | None) -> str | None:
        return await personal.seal(self.rt, self.household_id, value)

    async def handle(
        self,
        command: HouseholdCommand,
        *,
        status: int = 200,
        occurred_at: datetime | None = None,
        after_append: AfterAppend | None = None,
        **extra: Any,
    ) -> JSONResponse:
        state = await self.open()
        return await self.call.run(
            config.households(),
            self.household_id,
            command,
            station_id=state.station_id,
            checked=True,
            respond=answered(self.household_id, status, **extra),
            occurred_at=occurred_at,
            expected_version=self.expected,
            after_append=after_append,
            loaded=(state, self.version),
        )

    async def sealed(
        self, build: Callable[[Sealer], Awaitable[HouseholdCommand]], **handled: Any
    ) -> JSONResponse:
        """A command carrying personal data: a retry gets the remembered answer before anything
        is sealed, and an erased household is refused before its key is asked for."""
        state = await self.open()
        if (prior := await self.call.replayed()) is not None:
            return prior
        require_active(state, self.household_id)
        return await self.handle(await build(self.seal), **handled)


Reader = Annotated[Principal, Depends(requires(*READERS))]
Writing = Annotated[CommandRequest, Depends(command_request(*WRITERS))]
Erasing = Annotated[CommandRequest, Depends(command_request(*pipl.ERASERS))]
Eraser = Annotated[Principal, Depends(requires(*pipl.ERASERS))]


async def staff_command(household_id: Identifier, call: Writing) -> HouseholdCommands:
    return HouseholdCommands(call, household_id)


async def erasure_command(household_id: Identifier, call: Erasing) -> HouseholdCommands:
    return HouseholdCommands(call, household_id)


OnHousehold = Annotated[HouseholdCommands, Depends(staff_command)]
"""A staff command on the household of the path (station staff and bureaus)."""
ErasureOf = Annotated[HouseholdCommands, Depends(erasure_command)]
"""An erasure or export of the household of the path (station leads and bureaus only)."""

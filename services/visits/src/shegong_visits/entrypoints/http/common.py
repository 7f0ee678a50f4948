"""What the household routes share: the household a command goes to (scope, If-Match, replay,
the answer) and a station listing's scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from shegong_events import Envelope, new_event_id
from shegong_runtime import pipl
from shegong_runtime.auth import READERS, WRITERS, Principal, requires
from shegong_runtime.commands import Answer, CommandContext, handle, load, remembered
from shegong_runtime.errors import DomainError
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime, runtime

from shegong_visits import config, personal
from shegong_visits.domain.commands import HouseholdCommand
from shegong_visits.domain.state import Household, HouseholdNotFound, require_active

AfterAppend = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]


class IfMatchInvalid(DomainError):
    """If-Match carries the household version the caller saw, a whole number."""


def new_id(prefix: str) -> str:
    """An id the service makes up when the caller gave none (`hh-…`, `vs-…`, `nd-…`)."""
    return f"{prefix}-{new_event_id().hex}"


def if_match(request: Request) -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise IfMatchInvalid(
            f"If-Match {raw!r} is not a version number", field="If-Match"
        ) from None


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


def answered(household_id: str, status: int, **extra: Any) -> Callable[[list[Envelope], Household], Answer]:
    """The answer to a household command: its id, new version, events and next due time."""

    def build(envelopes: list[Envelope], state: Household) -> Answer:
        return Answer(
            status,
            {
                "household_id": household_id,
                "version": envelopes[-1].aggregate_version if envelopes else None,
                "events": [e.event_type for e in envelopes],
                "next_due_at": state.next_due_at.isoformat() if state.next_due_at else None,
                **extra,
            },
        )

    return build


@dataclass
class HouseholdCommands:
    """A command on one existing household, as the caller sent it: opened (scope and If-Match
    checked) before the command is built, handled through the one command path."""

    request: Request
    household_id: str
    who: Principal
    ctx: CommandContext
    state: Household | None = None
    expected: int | None = None

    @property
    def rt(self) -> Runtime:
        return runtime(self.request)

    async def open(self) -> Household:
        if self.state is None:
            self.expected = if_match(self.request)
            self.state, _ = await household_in_scope(self.rt, self.who, self.household_id, write=True)
        return self.state

    async def replay(self) -> Answer | None:
        """The remembered answer to a retry; otherwise an erased household is refused here, before
        anything is sealed with its key."""
        state = await self.open()
        if (prior := await remembered(self.rt.store, self.ctx)) is not None:
            return prior
        require_active(state, self.household_id)
        return None

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
        answer = await handle(
            self.rt.store,
            config.households(),
            self.household_id,
            command,
            station_id=state.station_id,
            ctx=self.ctx,
            respond=answered(self.household_id, status, **extra),
            occurred_at=occurred_at,
            expected_version=self.expected,
            after_append=after_append,
        )
        return respond(answer)


Reader = Annotated[Principal, Depends(requires(*READERS))]
Writer = Annotated[Principal, Depends(requires(*WRITERS))]
Eraser = Annotated[Principal, Depends(requires(*pipl.ERASERS))]
Context = Annotated[CommandContext, Depends(command_context)]


def staff_command(request: Request, household_id: Identifier, who: Writer, ctx: Context) -> HouseholdCommands:
    return HouseholdCommands(request, household_id, who, ctx)


def erasure_command(request: Request, household_id: Identifier, who: Eraser, ctx: Context) -> HouseholdCommands:
    return HouseholdCommands(request, household_id, who, ctx)


OnHousehold = Annotated[HouseholdCommands, Depends(staff_command)]
"""A staff command on the household of the path (station staff and bureaus)."""
ErasureOf = Annotated[HouseholdCommands, Depends(erasure_command)]
"""An erasure or export of the household of the path (station leads and bureaus only)."""


async def visible(
    rt: Runtime,
    who: Principal,
    station_id: str | None,
    fetch: Callable[[], Awaitable[list[dict]]],
) -> list[dict]:
    """The fetched rows of stations the caller may see; naming one out of its scope is 403."""
    await rt.stations.refresh()
    if station_id is not None:
        who.require_station(station_id, rt.stations.district_of)
    return [r for r in await fetch() if who.can_see(r["station_id"], rt.stations.district_of)]

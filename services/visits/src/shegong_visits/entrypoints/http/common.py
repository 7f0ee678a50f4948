"""What the household routes share: the order of a household command for the kit's one command
path (decider, where it is filed, its data subject, its answer), who may read and write, and a
reading's scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from shegong_events import Envelope, calendar
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Order, Respond, Sealer, answer, event_types, load, version_of
from shegong_runtime.service import Runtime

from shegong_visits import config, personal
from shegong_visits.domain.commands import HouseholdCommand
from shegong_visits.domain.state import Household, HouseholdNotFound, require_active

Build = Callable[[Household, Sealer], Awaitable[HouseholdCommand]]


async def household_in_scope(
    rt: Runtime, who: Principal, household_id: str
) -> tuple[Household, int]:
    """The household and its version (404 when unknown), if the caller may read at its station
    (403)."""
    state, version = await load(rt.events, config.households(), household_id)
    if not state.registered:
        raise HouseholdNotFound(f"未登记的家庭 {household_id}")
    await rt.stations.check_read(who, state.station_id)
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


def household(
    household_id: str,
    command: HouseholdCommand | Build,
    *,
    status: int = 200,
    station_id: str | None = None,
    occurred_at: datetime | None = None,
    erases: bool = False,
    **extra: Any,
) -> Order[HouseholdCommand, Household]:
    """A command on a household, filed at its station (`station_id` for a registration), its
    personal data sealed with its own key, answered with `answered(...)` and `extra`."""
    return Order(
        config.households(),
        household_id,
        command,
        answered(household_id, status, **extra),
        station_id=station_id,
        missing=HouseholdNotFound(f"未登记的家庭 {household_id}"),
        subject=personal.subject(household_id),
        erases=erases,
        occurred_at=occurred_at,
    )


def sealed(build: Callable[[Sealer], Awaitable[HouseholdCommand]]) -> Build:
    """A command on a household carrying personal data: an erased household is refused before
    its key is asked for (the kit builds it after the scope and replay checks)."""

    async def built(state: Household, seal: Sealer) -> HouseholdCommand:
        require_active(state)
        return await build(personal.sealer(state.household_id, seal))

    return built


def at_or_now(moment: datetime | None) -> datetime:
    """A time the caller gave (station time when it names no zone), else now."""
    return calendar.as_aware(moment) if moment else calendar.now()

"""What the routes share: a household command's scope, Idempotency-Key replay, If-Match and
answer; a station listing's scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import JSONResponse
from shegong_events import DomainEvent, Envelope
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Answer, CommandContext, execute, load, remembered
from shegong_runtime.errors import DomainError
from shegong_runtime.http import respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime, runtime

from shegong_visits.domain.household import HOUSEHOLD, Household, HouseholdNotFound, require_active
from shegong_visits.domain.policy import STATION_TZ, VisitPolicy, station_today, utcnow

HouseholdId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")]
NeedId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")]
Decide = Callable[[Household], Sequence[DomainEvent]]


class IfMatchInvalid(DomainError):
    """If-Match carries the household version the caller saw, a whole number."""


def policy(rt: Runtime) -> VisitPolicy:
    return rt.extras["visit_policy"]


def on_day(day: date) -> datetime:
    """When a fact known only by its date happened: noon at the station (same day in UTC too)."""
    return datetime.combine(day, time(12), STATION_TZ)


def today() -> date:
    return station_today(utcnow())


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
    rt: Runtime, who: Principal, household_id: str
) -> tuple[Household, int]:
    """The household and its version (404 when unknown), if the caller's scope reaches its station (403)."""
    state, version = await load(rt.store, HOUSEHOLD, household_id)
    if not state.registered:
        raise HouseholdNotFound(f"未登记的家庭 {household_id}")
    await rt.stations.require(state.station_id)
    who.require_station(state.station_id, rt.stations.district_of)
    return state, version


async def visible(
    rt: Runtime,
    who: Principal,
    station_id: Identifier | None,
    fetch: Callable[[], Awaitable[list[dict]]],
) -> list[dict]:
    """The fetched rows of stations the caller may see; naming one out of its scope is 403."""
    await rt.stations.refresh()
    if station_id is not None:
        who.require_station(station_id, rt.stations.district_of)
    return [r for r in await fetch() if who.can_see(r["station_id"], rt.stations.district_of)]


def answer(
    household_id: str, status: int, **extra: Any
) -> Callable[[list[Envelope], Household], Answer]:
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


async def run(
    request: Request,
    who: Principal,
    ctx: CommandContext,
    household_id: str,
    build: Callable[[Runtime, Household], Awaitable[Decide]],
    status: int = 200,
    occurred_at: datetime | None = None,
    after_append: Callable[[Any, list[Envelope]], Awaitable[None]] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Check scope, replay a remembered answer, refuse an erased household before anything is
    sealed, then `build` (which seals) gives the decide function that `execute` runs."""
    rt = runtime(request)
    expected = if_match(request)
    state, _ = await household_in_scope(rt, who, household_id)
    if (prior := await remembered(rt.store, ctx)) is not None:
        return respond(prior)
    require_active(state, household_id)
    decide = await build(rt, state)
    result = await execute(
        rt.store,
        HOUSEHOLD,
        household_id,
        state.station_id,
        ctx,
        decide=lambda current, _version: decide(current),
        respond=answer(household_id, status, **extra),
        occurred_at=occurred_at,
        expected_version=expected,
        after_append=after_append,
    )
    return respond(result)

"""Households: register, update, tier, erase; list per station, one household, its timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request, Response
from shegong_events import new_event_id
from shegong_events.visits import HouseholdCategory, HouseholdUpdated, Member, RiskTier
from shegong_runtime import masking, pipl
from shegong_runtime.auth import READERS, WRITERS, Principal, requires
from shegong_runtime.commands import CommandContext, execute, load, remembered
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier
from shegong_runtime.service import Runtime, runtime

from shegong_visits import labels, personal, views
from shegong_visits.domain import registration as rules
from shegong_visits.domain.household import HOUSEHOLD, Household, HouseholdAlreadyRegistered
from shegong_visits.domain.policy import as_aware, utcnow
from shegong_visits.entrypoints import bodies
from shegong_visits.entrypoints.common import (
    HouseholdId,
    answer,
    household_in_scope,
    policy,
    run,
    visible,
)

router = APIRouter(tags=["households"])
ERASERS = pipl.ERASERS
Sealer = Callable[[str | None], Awaitable[str | None]]


async def _members(members: list[bodies.MemberIn], seal: Sealer) -> tuple[Member, ...]:
    return tuple(
        [
            Member(
                member_id=m.member_id,
                relation=m.relation,
                birth_year=m.birth_year,
                name_sealed=await seal(m.name),
            )
            for m in members
        ]
    )


async def _registration(
    body: bodies.RegisterHousehold, hid: str, seal: Sealer
) -> rules.RegisterHousehold:
    return rules.RegisterHousehold(
        household_id=hid,
        categories=tuple(body.categories),
        community=body.community,
        members=await _members(body.members, seal),
        head_name_sealed=await seal(body.head_name),  # type: ignore[arg-type]
        phone_sealed=await seal(body.phone),
        address_sealed=await seal(body.address),
        id_number_sealed=await seal(body.id_number),
        registered_at=as_aware(body.registered_at) if body.registered_at else utcnow(),
        tier=body.risk_tier,
        tier_reason=body.tier_reason,
    )


async def _draft(value: str | None) -> str | None:
    return None if value is None else "draft"


@router.post("/households", status_code=201)
async def register(
    body: bodies.RegisterHousehold,
    request: Request,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    await rt.stations.require(body.station_id)
    who.require_station(body.station_id, rt.stations.district_of)
    if (prior := await remembered(rt.store, ctx)) is not None:
        return respond(prior)
    hid = body.household_id or f"hh-{new_event_id().hex}"
    state, _ = await load(rt.store, HOUSEHOLD, hid)
    if state.registered:
        raise HouseholdAlreadyRegistered(f"家庭 {hid} 已登记", field="household_id")
    draft = await _registration(body, hid, _draft)
    rules.register(state, draft, policy(rt), utcnow())  # refuse bad input before a key exists
    cmd = await _registration(body, hid, lambda v: personal.seal(rt, hid, v))
    result = await execute(
        rt.store,
        HOUSEHOLD,
        hid,
        body.station_id,
        ctx,
        decide=lambda s, _v: rules.register(s, cmd, policy(rt), utcnow()),
        respond=answer(hid, 201),
        occurred_at=cmd.registered_at,
    )
    return respond(result)


@router.post("/households/{household_id}/updates")
async def update(
    body: bodies.UpdateHousehold,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    updated_at = as_aware(body.updated_at) if body.updated_at else utcnow()

    async def build(rt: Runtime, state: Household):
        def seal(value: str | None) -> Awaitable[str | None]:
            return personal.seal(rt, household_id, value)

        event = HouseholdUpdated(
            categories=body.categories,
            community=body.community,
            members=list(await _members(body.members, seal)) if body.members is not None else None,
            head_name_sealed=await seal(body.head_name),
            phone_sealed=await seal(body.phone),
            address_sealed=await seal(body.address),
            id_number_sealed=await seal(body.id_number),
            updated_at=updated_at,
        )
        return lambda s: rules.update(s, household_id, event, utcnow())

    return await run(request, who, ctx, household_id, build, occurred_at=updated_at)


@router.post("/households/{household_id}/risk-tier")
async def assign_tier(
    body: bodies.AssignRiskTier,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*WRITERS)),
    ctx: CommandContext = Depends(command_context),
):
    at = as_aware(body.assigned_at) if body.assigned_at else utcnow()
    cmd = rules.AssignRiskTier(body.tier, body.reason, at, body.major_change)

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.assign_tier(s, cmd, policy(rt), utcnow())

    return await run(request, who, ctx, household_id, build, occurred_at=at)


@router.post("/households/{household_id}/erasure")
async def erase(
    body: bodies.EraseHousehold,
    request: Request,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*ERASERS)),
    ctx: CommandContext = Depends(command_context),
):
    """PIPL erasure: the household's key is destroyed in the same transaction as the event."""

    async def build(rt: Runtime, state: Household):
        return lambda s: rules.erase(s, household_id, body.reason, utcnow())

    async def destroy_key(conn, envelopes) -> None:  # type: ignore[no-untyped-def]
        await runtime(request).keys.erase(personal.subject(household_id), conn=conn)

    return await run(request, who, ctx, household_id, build, after_append=destroy_key)


@router.get("/households/{household_id}/export", responses={409: {"description": "the person's data was erased already"}})
async def export(
    request: Request, household_id: HouseholdId, who: Principal = Depends(requires(*ERASERS))
):
    """A copy of everything recorded about the household (PIPL), personal data opened."""
    rt = runtime(request)
    await household_in_scope(rt, who, household_id)
    return await pipl.export(
        rt.store, rt.keys, personal.subject(household_id), [f"household-{household_id}"]
    )


@router.get("/households")
async def list_households(
    request: Request,
    station_id: Identifier | None = None,
    category: HouseholdCategory | None = None,
    tier: RiskTier | None = None,
    include_erased: bool = False,
    who: Principal = Depends(requires(*READERS)),
):
    """Households per station, with personal data opened for station staff and bureaus."""
    rt = runtime(request)
    rows = await visible(
        rt,
        who,
        station_id,
        lambda: views.households(rt, station_id, category, tier, include_erased),
    )
    return [await views.present_household(rt, who, r) for r in rows]


@router.get("/households/{household_id}")
async def get_household(
    request: Request,
    response: Response,
    household_id: HouseholdId,
    who: Principal = Depends(requires(*READERS)),
):
    """One household from its own events: always current, and redacted (never failing) once
    erased. The ETag is its version: send it back as If-Match to refuse a lost update (409)."""
    rt = runtime(request)
    state, version = await household_in_scope(rt, who, household_id)
    response.headers["ETag"] = f'"{version}"'
    return await views.household_detail(rt, who, household_id, state, version)


@router.get("/households/{household_id}/timeline")
async def timeline(
    request: Request, household_id: HouseholdId, who: Principal = Depends(requires(*READERS))
):
    rt = runtime(request)
    await household_in_scope(rt, who, household_id)
    rows = await views.timeline(rt, household_id)
    out = []
    for r in rows:
        entry = {k: r[k] for k in ("version", "event_type", "occurred_at", "actor", "facts")}
        entry["title"] = labels.title(r["event_type"], r["facts"])
        if personal.may_read(who) and r["sealed"]:
            purged = any(
                v is None for v in r["sealed"].values()
            )  # erasure nulls every sealed value
            opened = await personal.open_fields(rt, household_id, r["sealed"], erased=purged)
            entry["personal"] = masking.for_reader(who, opened)
        out.append(entry)
    return out

"""Households: register, update, tier, erase, export; list per station, one household, its timeline."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from shegong_events import calendar
from shegong_events.visits import HouseholdCategory, Member, RiskTier
from shegong_runtime import personal_data_routes as rights
from shegong_runtime.commands import load
from shegong_runtime.inputs import Identifier, When, new_id
from shegong_runtime.paging import Page, Paging
from shegong_runtime.service import runtime

from shegong_visits import config, personal, views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies
from shegong_visits.entrypoints.http.common import (
    Eraser,
    ErasureOf,
    OnHousehold,
    Reader,
    Sealer,
    Writing,
    answered,
    household_in_scope,
)
from shegong_visits.entrypoints.http.links import GET_HOUSEHOLD, HOUSEHOLD_TIMELINE, changed

router = APIRouter(tags=["households"])


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
) -> commands.RegisterHousehold:
    return commands.RegisterHousehold(
        household_id=hid,
        categories=tuple(body.categories),
        community=body.community,
        members=await _members(body.members, seal),
        head_name_sealed=await seal(body.head_name),  # type: ignore[arg-type]
        phone_sealed=await seal(body.phone),
        address_sealed=await seal(body.address),
        id_number_sealed=await seal(body.id_number),
        registered_at=calendar.as_aware(body.registered_at)
        if body.registered_at
        else calendar.now(),
        tier=body.risk_tier,
        tier_reason=body.tier_reason,
    )


async def _draft(value: str | None) -> str | None:
    return None if value is None else "draft"


@router.post(
    "/households", status_code=201, operation_id="register_household", responses=changed(201)
)
async def register(body: bodies.RegisterHousehold, call: Writing):
    """Register a household (its id given or made up), with its first risk tier."""
    rt = await call.at(body.station_id)
    if (prior := await call.replayed()) is not None:
        return prior
    hid = body.household_id or new_id("hh")
    households = config.households()
    loaded = await load(rt.store, households, hid)
    households.decide(await _registration(body, hid, _draft), loaded[0])  # before a key exists
    command = await _registration(body, hid, lambda v: personal.seal(rt, hid, v))
    return await call.run(
        households,
        hid,
        command,
        station_id=body.station_id,
        checked=True,
        respond=answered(hid, 201),
        occurred_at=command.registered_at,
        loaded=loaded,
    )


async def _update(
    body: bodies.UpdateHousehold, updated_at: datetime, seal: Sealer
) -> commands.UpdateHousehold:
    return commands.UpdateHousehold(
        updated_at=updated_at,
        categories=tuple(body.categories) if body.categories is not None else None,
        community=body.community,
        members=await _members(body.members, seal) if body.members is not None else None,
        head_name_sealed=await seal(body.head_name),
        phone_sealed=await seal(body.phone),
        address_sealed=await seal(body.address),
        id_number_sealed=await seal(body.id_number),
    )


@router.post(
    "/households/{household_id}/updates", operation_id="update_household", responses=changed()
)
async def update(body: bodies.UpdateHousehold, household: OnHousehold):
    """Change categories, members or personal data; what is not given stays."""
    updated_at = calendar.as_aware(body.updated_at) if body.updated_at else calendar.now()
    return await household.sealed(
        lambda seal: _update(body, updated_at, seal), occurred_at=updated_at
    )


@router.post(
    "/households/{household_id}/risk-tier", operation_id="assign_risk_tier", responses=changed()
)
async def assign_tier(body: bodies.AssignRiskTier, household: OnHousehold):
    at = calendar.as_aware(body.assigned_at) if body.assigned_at else calendar.now()
    command = commands.AssignRiskTier(body.tier, body.reason, at, body.major_change)
    return await household.handle(command, occurred_at=at)


@router.post(
    "/households/{household_id}/erasure", operation_id="erase_household", responses=changed()
)
async def erase(body: bodies.EraseHousehold, household: ErasureOf):
    """PIPL erasure: the household's key is destroyed in the same transaction as the event; the
    decider refuses an erased household under its own rule (HouseholdAlreadyErased)."""
    state, hid = await household.open(), household.household_id
    return await rights.erase(
        household.rt,
        household.call.who,
        household.call.ctx,
        config.households(),
        hid,
        commands.EraseHousehold(body.reason),
        station_id=state.station_id,
        subject=personal.subject(hid),
        answer=answered(hid, 200),
        checked=True,
        refuse_erased=False,
        expected_version=household.expected,
    )


@router.get(
    "/households/{household_id}/export",
    operation_id="export_household",
    responses={
        200: {"model": answers.Export},
        409: {"description": "the person's data was erased already"},
    },
)
async def export(request: Request, household_id: Identifier, who: Eraser):
    """A copy of everything recorded about the household (PIPL), personal data opened."""
    rt = runtime(request)
    state, _ = await household_in_scope(rt, who, household_id)
    subject, streams = personal.subject(household_id), [f"household-{household_id}"]
    return await rights.export(rt, who, state.station_id, subject, streams, checked=True)


@router.get(
    "/households",
    operation_id="list_households",
    responses={200: {"model": Page[answers.HouseholdRow]}},
)
async def list_households(
    request: Request,
    who: Reader,
    page: Paging,
    station_id: Identifier | None = None,
    category: HouseholdCategory | None = None,
    tier: RiskTier | None = None,
    include_erased: bool = False,
    registered_from: When | None = None,
    registered_before: When | None = None,
):
    """Households per station in order of registration, a page at a time, with personal data
    opened (and each person's opening audited) for station staff and bureaus."""
    rt = runtime(request)
    stations = await rt.stations.scope(who, station_id)
    span = (
        calendar.as_aware(registered_from) if registered_from else None,
        calendar.as_aware(registered_before) if registered_before else None,
    )
    rows, after = await views.households(rt, page, stations, category, tier, include_erased, span)
    return page.answer([await views.present_household(rt, who, r) for r in rows], after)


@router.get(
    "/households/{household_id}",
    operation_id=GET_HOUSEHOLD,
    responses={200: {"model": answers.HouseholdDetail}},
)
async def get_household(
    request: Request,
    response: Response,
    household_id: Identifier,
    who: Reader,
):
    """One household from its own events: always current, and redacted (never failing) once
    erased. The ETag is its version: send it back as If-Match to refuse a lost update (409)."""
    rt = runtime(request)
    state, version = await household_in_scope(rt, who, household_id)
    response.headers["ETag"] = f'"{version}"'
    return await views.household_detail(rt, who, household_id, state, version)


@router.get(
    "/households/{household_id}/timeline",
    operation_id=HOUSEHOLD_TIMELINE,
    responses={200: {"model": Page[answers.TimelineEntry]}},
)
async def timeline(
    request: Request,
    household_id: Identifier,
    who: Reader,
    page: Paging,
    newest_first: bool = False,
):
    """The household's events, oldest (or newest) first, each with a Chinese title, a page at
    a time."""
    rt = runtime(request)
    await household_in_scope(rt, who, household_id)
    return page.answer(*await views.timeline(rt, who, household_id, page, newest_first))

"""Households: register, update, tier, erase, export; list per station, find by the head's name,
one household, its timeline."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from shegong_events import calendar
from shegong_events.visits import HouseholdCategory, RiskTier
from shegong_runtime import openapi
from shegong_runtime import personal_data_routes as rights
from shegong_runtime.inputs import Identifier, When, new_id
from shegong_runtime.paging import Page, PageRequest, Paging
from shegong_runtime.routes import Caller, Manager, Managing, Reader, Writing
from shegong_runtime.service import runtime

from shegong_visits import name_index, personal, views
from shegong_visits.domain import commands
from shegong_visits.entrypoints.http import answers, bodies, building
from shegong_visits.entrypoints.http.common import (
    at_or_now,
    household,
    household_in_scope,
)
from shegong_visits.entrypoints.http.links import changed

router = APIRouter(tags=["households"])


@router.post("/households", status_code=201, responses=changed(201))
async def register_household(body: bodies.RegisterHousehold, call: Writing):
    """Register a household (its id given or made up), with its first risk tier."""
    hid, at = body.household_id or new_id("hh"), at_or_now(body.registered_at)
    build = building.registration(body, hid, at)
    return await call.send(
        household(hid, build, status=201, station_id=body.station_id, occurred_at=at)
    )


@router.post("/households/{household_id}/updates", responses=changed())
async def update_household(household_id: Identifier, body: bodies.UpdateHousehold, call: Writing):
    """Change categories, members or personal data; what is not given stays."""
    at = at_or_now(body.updated_at)
    return await call.send(household(household_id, building.update(body, at), occurred_at=at))


@router.post("/households/{household_id}/risk-tier", responses=changed())
async def assign_risk_tier(household_id: Identifier, body: bodies.AssignRiskTier, call: Writing):
    at = at_or_now(body.assigned_at)
    command = commands.AssignRiskTier(body.tier, body.reason, at, body.major_change)
    return await call.send(household(household_id, command, occurred_at=at))


@router.post("/households/{household_id}/erasure", responses=changed())
async def erase_household(household_id: Identifier, body: bodies.EraseHousehold, call: Managing):
    """PIPL erasure: the household's key is destroyed in the same transaction as the event; the
    decider refuses an erased household under its own rule (HouseholdAlreadyErased)."""
    command = commands.EraseHousehold(body.reason)
    return await call.send(household(household_id, command, erases=True))


@router.get(
    "/households/{household_id}/export",
    responses={
        200: {"model": answers.Export},
        409: {"description": "the person's data was erased already"},
    },
)
async def export_household(request: Request, household_id: Identifier, who: Manager):
    """A copy of everything recorded about the household (PIPL), personal data opened."""
    rt = runtime(request)
    state, _ = await household_in_scope(rt, who, household_id)
    subject, streams = personal.subject(household_id), [f"household-{household_id}"]
    return await rights.export(rt, who, state.station_id, subject, streams, checked=True)


@router.get(
    "/households",
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
    return page.answer(await views.present_households(rt, who, rows), after)


@router.post(
    "/households/search",
    responses=openapi.reading(
        Page[answers.HouseholdRow],
        "the households of the caller's stations whose head has that name, as GET /households "
        "shows them; the next page is asked for with `next` as the body's `cursor`",
    ),
    openapi_extra=openapi.READ_BY_POST,
)
async def search_households(
    request: Request, response: Response, body: bodies.SearchHouseholds, who: Caller
):
    """Households whose head has exactly this name (full-width forms, spaces and case aside),
    shown and audited as `GET /households` shows them. Station staff, in their own stations
    only (`NameSearchForStationStaffOnly`); a POST, so the name is in no address."""
    rt = runtime(request)
    name_index.require_searcher(who)
    stations = await rt.stations.scope(who, body.station_id)
    page = PageRequest(body.limit, body.cursor, request, response, source="body")
    rows, after = await views.households_named(rt, page, stations or [], body.name)
    return page.answer(await views.present_households(rt, who, rows), after)


@router.get(
    "/households/{household_id}",
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
    responses={200: {"model": Page[answers.TimelineEntry]}},
)
async def household_timeline(
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

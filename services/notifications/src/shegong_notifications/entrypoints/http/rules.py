"""Rules over events, set per station or district: thin routes over the rule decider."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from shegong_runtime import openapi, paging
from shegong_runtime.commands import changed
from shegong_runtime.http import CommandRequest
from shegong_runtime.inputs import Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Caller, Managing
from shegong_runtime.service import runtime

from shegong_notifications import projections, rulebook, views
from shegong_notifications.domain import rule
from shegong_notifications.domain.rule import RULE, RuleNotFound
from shegong_notifications.domain.templates import TEMPLATES
from shegong_notifications.entrypoints.http import bodies
from shegong_notifications.entrypoints.http.answers import RuleAnswer, RuleView, TemplateView
from shegong_notifications.entrypoints.http.scope import can_read, check_write, envelope_station

router = APIRouter(tags=["rules"])
TO_RULE = openapi.link("get_rule", rule_id="$response.body#/rule_id")


async def _run(
    call: CommandRequest, rule_id: str, command: Any, station_id: str, status: int
) -> JSONResponse:
    """A rule command, its scope checked by the route (a station's or a district's)."""
    return await call.run(
        RULE,
        rule_id,
        command,
        station_id=station_id,
        checked=True,
        respond=changed(status, "rule_id", events=False),
        after_append=projections.in_step,
    )


@router.post(
    "/rules",
    status_code=201,
    responses=openapi.command(201, "the rule, defined", RuleAnswer, rule=TO_RULE),
)
async def define_rule(body: bodies.DefineRule, call: Managing):
    await check_write(call.rt, call.who, body.station_id, body.district_id)
    command = rule.DefineRule(
        scope="station" if body.station_id else "district",
        scope_id=body.station_id or body.district_id,  # type: ignore[arg-type]  # one of them, checked above
        **{k: v for k, v in body if k not in ("station_id", "district_id")},
    )
    station_id = envelope_station(body.station_id, body.district_id)
    return await _run(call, body.rule_id, command, station_id, 201)


@router.post(
    "/rules/{rule_id}/disable",
    openapi_extra=openapi.IF_MATCH,
    responses=openapi.command(
        200,
        "the rule, disabled",
        RuleAnswer,
        rule=openapi.link("get_rule", rule_id="$request.path.rule_id"),
    ),
)
async def disable_rule(rule_id: Identifier, body: bodies.DisableRule, call: Managing):
    row = await rulebook.get(call.rt.pool, rule_id)
    if row is None:
        raise RuleNotFound(f"no rule {rule_id}")
    await check_write(call.rt, call.who, *_scope(row))
    command = rule.DisableRule(rule_id, reason=body.reason)
    return await _run(call, rule_id, command, row["station_id"], 200)


def _scope(row: dict) -> tuple[str | None, str | None]:  # type: ignore[type-arg]
    return (
        row["scope_id"] if row["scope"] == "station" else None,
        row["scope_id"] if row["scope"] == "district" else None,
    )


@router.get(
    "/rules",
    responses=openapi.reading(Page[RuleView], "the rules in the caller's scope"),
)
async def list_rules(
    request: Request,
    page: Paging,
    who: Caller,
    station_id: Identifier | None = None,
    district_id: Identifier | None = None,
):
    """The rules in the caller's scope, oldest first (a list bounded by configuration, not by
    history: paged in memory after the scope check)."""
    rt = runtime(request)
    await rt.stations.refresh()
    rows = await views.rules(rt.pool, station_id, district_id)
    mine = [r for r in rows if can_read(rt, who, *_scope(r))]
    return page.answer(*paging.slice_of_list(mine, views.RULES, page))


@router.get("/rules/{rule_id}", responses=openapi.reading(RuleView, "one rule"))
async def get_rule(rule_id: Identifier, request: Request, who: Caller):
    rt = runtime(request)
    await rt.stations.refresh()
    found = await views.rule(rt.pool, rule_id)
    if found is None or not can_read(rt, who, *_scope(found)):
        raise RuleNotFound(f"no rule {rule_id}")
    return found


@router.get(
    "/templates",
    responses=openapi.reading(Page[TemplateView], "the notification texts"),
)
async def list_templates(page: Paging, who: Caller):
    every = [
        {"template_id": tid, "title": t.title, "body": t.body, "summary": t.summary}
        for tid, t in TEMPLATES.items()
    ]
    return page.answer(*paging.slice_of_list(every, views.TEMPLATES_ORDER, page))

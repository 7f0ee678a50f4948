"""Rules over events, set per station or district: thin routes over the rule decider."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from shegong_runtime import openapi, paging
from shegong_runtime.commands import Order, changed
from shegong_runtime.inputs import Identifier
from shegong_runtime.paging import Page, Paging
from shegong_runtime.routes import Caller, Managing
from shegong_runtime.service import Runtime, runtime

from shegong_notifications import projections, rulebook, views
from shegong_notifications.domain import rule
from shegong_notifications.domain.rule import RULE, RuleNotFound
from shegong_notifications.domain.templates import TEMPLATES
from shegong_notifications.entrypoints.http import bodies
from shegong_notifications.entrypoints.http.answers import RuleAnswer, RuleView, TemplateView
from shegong_notifications.entrypoints.http.scope import can_read, envelope_station, writes

router = APIRouter(tags=["rules"])
TO_RULE = openapi.link("get_rule", rule_id="$response.body#/rule_id")


def _order(
    rule_id: str, command: Any, station_id: str, scope: Any, status: int = 200
) -> Order[Any, Any]:
    """A rule command, filed under its station (or `district-<id>`), in the scope of its station
    or district; the rulebook kept in step in the same transaction."""
    respond = changed(status, "rule_id", events=False)
    return Order(
        RULE,
        rule_id,
        command,
        respond,
        station_id=station_id,
        scope=scope,
        after_append=projections.in_step,
    )


def _defined(body: bodies.DefineRule) -> rule.DefineRule:
    """The rule of `body`, scoped to its station or its district (the scope says which is
    missing, 422, when neither or both are named)."""
    return rule.DefineRule(
        scope="station" if body.station_id else "district",
        scope_id=body.station_id or body.district_id or "",
        **{k: v for k, v in body if k not in ("station_id", "district_id")},
    )


async def _on_file(rt: Runtime, rule_id: str) -> dict[str, Any]:
    row = await rulebook.get(rt.pool, rule_id)
    if row is None:
        raise RuleNotFound(f"没有通知规则 {rule_id}")
    return dict(row)


@router.post(
    "/rules",
    status_code=201,
    responses=openapi.command(201, "the rule, defined", RuleAnswer, rule=TO_RULE),
)
async def define_rule(body: bodies.DefineRule, call: Managing):
    station_id = envelope_station(body.station_id, body.district_id)
    scope = writes(call.rt, body.station_id, body.district_id)
    return await call.send(_order(body.rule_id, _defined(body), station_id, scope, 201))


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
    row = await _on_file(call.rt, rule_id)
    command = rule.DisableRule(rule_id, reason=body.reason)
    scope = writes(call.rt, *_scope(row))
    return await call.send(_order(rule_id, command, row["station_id"], scope))


def _scope(row: dict[str, Any]) -> tuple[str | None, str | None]:
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
        raise RuleNotFound(f"没有通知规则 {rule_id}")
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

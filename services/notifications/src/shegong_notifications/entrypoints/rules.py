"""Rules over events, set per station or district: thin routes over the rule aggregate."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from shegong_events import CATALOG, DomainEvent, UnknownEventType
from shegong_events.all import load_all
from shegong_events.notifications import (
    EVENT_TYPE,
    ID,
    Audience,
    Channel,
    Condition,
    Reminder,
    RuleDefined,
    RuleDisabled,
)
from shegong_runtime.auth import Principal, Role, principal, requires
from shegong_runtime.commands import Answer, CommandContext, execute
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import Identifier, RequestModel
from shegong_runtime.service import runtime

from shegong_notifications import rulebook, views
from shegong_notifications.domain import fields
from shegong_notifications.domain.rule import (
    RuleAggregate,
    RuleNotFound,
    UnknownTemplate,
    UnknownTrigger,
    define_rule,
    disable_rule,
)
from shegong_notifications.domain.templates import TEMPLATES
from shegong_notifications.entrypoints.scope import can_see, envelope_station, require_scope

router = APIRouter(tags=["rules"])
RULE = RuleAggregate()
SETTERS = (Role.station_lead, Role.district_officer, Role.city_admin)
load_all()


class DefineRule(RequestModel):
    rule_id: str = Field(pattern=ID)
    station_id: Identifier | None = Field(
        default=None, description="a station's rule; or name district_id"
    )
    district_id: Identifier | None = Field(default=None, description="a district-wide rule")
    trigger: str = Field(pattern=EVENT_TYPE, description="event type, e.g. NeedIdentified")
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    audience: Audience
    channel: Channel = "inbox"
    template_id: str = Field(pattern=ID)
    reminder: Reminder | None = None
    description: str | None = Field(examples=["紧急需求通知站长"], default=None, max_length=200)


class DisableRule(RequestModel):
    reason: str | None = Field(examples=["规则调整"], default=None, max_length=200)


def model_of(event_type: str, field: str) -> type[DomainEvent]:
    """The latest contract of an event type any domain publishes."""
    try:
        version = CATALOG.latest_version(event_type)
    except UnknownEventType:
        raise UnknownTrigger(f"no domain publishes {event_type!r}", field=field) from None
    return next(
        m for m in CATALOG.models() if (m.event_type, m.schema_version) == (event_type, version)
    )


def _answer(status: int):  # type: ignore[no-untyped-def]
    return lambda events, state: Answer(
        status, {"rule_id": events[0].aggregate_id, "version": events[-1].aggregate_version}
    )


@router.post("/rules", status_code=201)
async def define(
    body: DefineRule,
    request: Request,
    who: Principal = Depends(requires(*SETTERS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    await require_scope(rt, who, body.station_id, body.district_id)
    if body.template_id not in TEMPLATES:
        raise UnknownTemplate(f"no template {body.template_id!r}", field="template_id")
    trigger = model_of(body.trigger, "trigger")
    cancels = [
        model_of(c, "reminder.cancel_on")
        for c in (body.reminder.cancel_on if body.reminder else [])
    ]
    fields.check(trigger, body.conditions, body.audience, body.reminder, cancels)
    event = RuleDefined(
        rule_id=body.rule_id,
        scope="station" if body.station_id else "district",
        scope_id=body.station_id or body.district_id,  # type: ignore[arg-type]
        trigger=body.trigger,
        conditions=body.conditions,
        audience=body.audience,
        channel=body.channel,
        template_id=body.template_id,
        reminder=body.reminder,
        description=body.description,
    )
    answer = await execute(
        rt.store,
        RULE,
        body.rule_id,
        envelope_station(body.station_id, body.district_id),
        ctx,
        decide=lambda state, _v: define_rule(state, event),
        respond=_answer(201),
        after_append=rulebook.record_defined,
    )
    return respond(answer)


@router.post("/rules/{rule_id}/disable")
async def disable(
    rule_id: Identifier,
    body: DisableRule,
    request: Request,
    who: Principal = Depends(requires(*SETTERS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    row = await rulebook.get(rt.pool, rule_id)
    if row is None:
        raise RuleNotFound(f"no rule {rule_id}")
    station_id, district_id = (
        (row["scope_id"], None) if row["scope"] == "station" else (None, row["scope_id"])
    )
    await require_scope(rt, who, station_id, district_id)
    answer = await execute(
        rt.store,
        RULE,
        rule_id,
        row["station_id"],
        ctx,
        decide=lambda state, _v: disable_rule(state, rule_id, RuleDisabled(reason=body.reason)),
        respond=_answer(200),
        after_append=rulebook.record_disabled,
    )
    return respond(answer)


@router.get("/rules")
async def list_rules(
    request: Request,
    station_id: Identifier | None = None,
    district_id: Identifier | None = None,
    who: Principal = Depends(principal),
):
    rt = runtime(request)
    await rt.stations.refresh()
    rows = await views.rules(rt.pool, station_id, district_id)
    return [
        r
        for r in rows
        if can_see(
            rt,
            who,
            r["scope_id"] if r["scope"] == "station" else None,
            r["scope_id"] if r["scope"] == "district" else None,
        )
    ]


@router.get("/templates")
async def list_templates(who: Principal = Depends(principal)):
    return [
        {"template_id": tid, "title": t.title, "body": t.body, "summary": t.summary}
        for tid, t in TEMPLATES.items()
    ]

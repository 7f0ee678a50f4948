"""The rule aggregate: defined once, disabled once. A changed rule is a new rule.

    (none) --DefineRule--> defined --DisableRule--> disabled

A rule is checked whole when it is defined (its template, its trigger and every field it
names), since a rule that can never match would fail silently for ever after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import (
    Audience,
    Channel,
    Condition,
    Reminder,
    RuleDefined,
    RuleDisabled,
    ScopeKind,
)
from shegong_runtime.decider import Decider
from shegong_runtime.errors import Conflict, DomainError, NotFound

from shegong_notifications.domain import fields
from shegong_notifications.domain.templates import TEMPLATES


class RuleAlreadyDefined(Conflict):
    """A rule id is defined once; define a new rule to change what it does."""


class RuleNotFound(NotFound):
    """No rule has this id."""


class RuleAlreadyDisabled(Conflict):
    """The rule is already disabled."""


class UnknownTemplate(DomainError):
    """The template id names no notification text."""


@dataclass(frozen=True)
class DefineRule:
    rule_id: str
    scope: ScopeKind
    scope_id: str
    trigger: str
    audience: Audience
    template_id: str
    channel: Channel = "inbox"
    conditions: Sequence[Condition] = field(default_factory=tuple)
    reminder: Reminder | None = None
    description: str | None = None


@dataclass(frozen=True)
class DisableRule:
    rule_id: str
    reason: str | None = None


Command = DefineRule | DisableRule


@dataclass(frozen=True)
class RuleState:
    defined: bool = False
    disabled: bool = False


class RuleDecider(Decider[Command, RuleState]):
    aggregate_type = "rule"

    def initial(self) -> RuleState:
        return RuleState()

    def evolve(self, state: RuleState, event: DomainEvent, envelope: Envelope) -> RuleState:
        if isinstance(event, RuleDefined):
            return RuleState(defined=True)
        if isinstance(event, RuleDisabled):
            return replace(state, disabled=True)
        return state

    def decide(self, command: Command, state: RuleState) -> list[DomainEvent]:
        match command:
            case DefineRule():
                return define(command, state)
            case DisableRule(rule_id=rule_id, reason=reason):
                if not state.defined:
                    raise RuleNotFound(f"没有通知规则 {rule_id}")
                if state.disabled:
                    raise RuleAlreadyDisabled(f"通知规则 {rule_id} 已停用")
                return [RuleDisabled(reason=reason)]
        raise TypeError(f"not a rule command: {command!r}")


def define(command: DefineRule, state: RuleState) -> list[DomainEvent]:
    """The rule as defined, once its template, trigger and fields are known."""
    if command.template_id not in TEMPLATES:
        raise UnknownTemplate(f"没有模板 {command.template_id!r}", field="template_id")
    trigger = fields.contract_of(command.trigger, "trigger")
    cancels = [
        fields.contract_of(c, "reminder.cancel_on")
        for c in (command.reminder.cancel_on if command.reminder else [])
    ]
    fields.check(trigger, command.conditions, command.audience, command.reminder, cancels)
    defined = RuleDefined(
        rule_id=command.rule_id,
        scope=command.scope,
        scope_id=command.scope_id,
        trigger=command.trigger,
        conditions=list(command.conditions),
        audience=command.audience,
        channel=command.channel,
        template_id=command.template_id,
        reminder=command.reminder,
        description=command.description,
    )
    if state.defined:
        raise RuleAlreadyDefined(f"通知规则 {command.rule_id} 已存在", field="rule_id")
    return [defined]


RULE = RuleDecider()

"""The rule aggregate: defined once, disabled once. A changed rule is a new rule."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shegong_events import DomainEvent, Envelope
from shegong_events.notifications import RuleDefined, RuleDisabled
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, DomainError, NotFound


class RuleAlreadyDefined(Conflict):
    """A rule id is defined once; define a new rule to change what it does."""


class RuleNotFound(NotFound):
    """No rule has this id."""


class RuleAlreadyDisabled(Conflict):
    """The rule is already disabled."""


class UnknownTemplate(DomainError):
    """The template id names no notification text."""


class UnknownTrigger(DomainError):
    """The event type is not one any domain publishes."""


@dataclass(frozen=True)
class RuleState:
    defined: bool = False
    disabled: bool = False


class RuleAggregate(Aggregate[RuleState]):
    aggregate_type = "rule"

    def initial(self) -> RuleState:
        return RuleState()

    def evolve(self, state: RuleState, event: DomainEvent, envelope: Envelope) -> RuleState:
        if isinstance(event, RuleDefined):
            return RuleState(defined=True)
        if isinstance(event, RuleDisabled):
            return replace(state, disabled=True)
        return state


def define_rule(state: RuleState, event: RuleDefined) -> list[DomainEvent]:
    if state.defined:
        raise RuleAlreadyDefined(f"rule {event.rule_id} is already defined", field="rule_id")
    return [event]


def disable_rule(state: RuleState, rule_id: str, event: RuleDisabled) -> list[DomainEvent]:
    if not state.defined:
        raise RuleNotFound(f"no rule {rule_id}")
    if state.disabled:
        raise RuleAlreadyDisabled(f"rule {rule_id} is already disabled")
    return [event]

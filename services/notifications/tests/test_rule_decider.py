"""The rule decider: a rule is checked whole when defined, defined once and disabled once."""

import pytest
from shegong_events.notifications import Audience, Condition, Reminder, RuleDefined, RuleDisabled
from shegong_notifications.domain.fields import UnknownField, UnknownTrigger
from shegong_notifications.domain.rule import (
    RULE,
    DefineRule,
    DisableRule,
    RuleAlreadyDefined,
    RuleAlreadyDisabled,
    RuleNotFound,
    UnknownTemplate,
)
from shegong_testing.decider import scenario

given = scenario(RULE, aggregate_id="urgent-lead", station_id="chengguan-qingbaishi")
URGENT = (Condition(field="severity", op="eq", value="urgent"),)
LEAD = Audience(role="station_lead")


def define(**over) -> DefineRule:
    fields = {
        "rule_id": "urgent-lead",
        "scope": "station",
        "scope_id": "chengguan-qingbaishi",
        "trigger": "NeedIdentified",
        "audience": LEAD,
        "template_id": "urgent-need",
        "conditions": URGENT,
        "description": "紧急需求通知站长",
    }
    return DefineRule(**{**fields, **over})


DEFINED = RuleDefined(
    rule_id="urgent-lead",
    scope="station",
    scope_id="chengguan-qingbaishi",
    trigger="NeedIdentified",
    conditions=list(URGENT),
    audience=LEAD,
    channel="inbox",
    template_id="urgent-need",
    description="紧急需求通知站长",
)


def test_a_new_rule_is_defined_as_asked():
    state = given().when(define()).then(DEFINED)
    assert state.defined and not state.disabled


def test_a_rule_id_is_defined_once():
    given(DEFINED).when(define()).raises(RuleAlreadyDefined)


@pytest.mark.parametrize(
    ("over", "rule", "field"),
    [
        ({"template_id": "no-such-text"}, UnknownTemplate, "template_id"),
        ({"trigger": "NeedInvented"}, UnknownTrigger, "trigger"),
        ({"reminder": Reminder(cancel_on=["NeedForgotten"])}, UnknownTrigger, "reminder.cancel_on"),
        (
            {"conditions": (Condition(field="severty", op="eq", value="urgent"),)},
            UnknownField,
            "conditions.0.field",
        ),
        ({"audience": Audience(match_field="nobody_id")}, UnknownField, "audience.match_field"),
        ({"reminder": Reminder(at_field="due_never")}, UnknownField, "reminder.at_field"),
    ],
)
def test_a_rule_that_could_never_match_is_refused_naming_the_field(over, rule, field):
    assert given().when(define(**over)).raises(rule).field == field


def test_a_defined_rule_is_disabled_once():
    state = (
        given(DEFINED)
        .when(DisableRule("urgent-lead", reason="规则调整"))
        .then(RuleDisabled(reason="规则调整"))
    )
    assert state.disabled
    given(DEFINED, RuleDisabled()).when(DisableRule("urgent-lead")).raises(RuleAlreadyDisabled)


def test_disabling_an_unknown_rule_is_not_found():
    given().when(DisableRule("urgent-lead")).raises(RuleNotFound)

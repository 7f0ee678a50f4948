"""The filing lifecycle as pure domain code: every state against every command, no database."""

from datetime import UTC, datetime

import pytest
from shegong_events import Envelope
from shegong_events.registry import (
    OrgChanged,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import OrganisationAggregate, Status

STATION, ORG_ID = "xigu-fulilu", "org-1"
SEALED = "sealed:v1:AAAA"
FILED = OrgFiled(
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed=SEALED,
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练两次",
)
COMMANDS = {
    "file": lambda s: org.file(s, ORG_ID, FILED),
    "return": lambda s: org.return_filing(
        s, STATION, ORG_ID, OrgFilingReturned(reasons=["章程不完整"])
    ),
    "resubmit": lambda s: org.resubmit(s, STATION, ORG_ID, OrgFilingResubmitted(members=21)),
    "approve": lambda s: org.approve(s, STATION, ORG_ID, org.filing_number(STATION, 2024, 1)),
    "change": lambda s: org.change(s, STATION, ORG_ID, OrgChanged(members=25)),
    "convert": lambda s: org.convert(
        s, STATION, ORG_ID, OrgConvertedToVolunteerTeam(volunteers=9, service_focus="助老")
    ),
    "deregister": lambda s: org.deregister(s, STATION, ORG_ID, OrgDeregistered(reason="解散")),
}
PATH_TO = {
    "none": [],
    "pending": ["file"],
    "returned": ["file", "return"],
    "approved": ["file", "approve"],
    "volunteer_team": ["file", "approve", "convert"],
    "deregistered": ["file", "approve", "deregister"],
}
# state → command → the state it leads to, or the error that refuses it
TABLE = {
    "none": {"file": "pending"}
    | dict.fromkeys(
        ["return", "resubmit", "approve", "change", "convert", "deregister"],
        org.OrganisationNotFound,
    ),
    "pending": {
        "file": org.OrgAlreadyFiled,
        "return": "returned",
        "resubmit": org.FilingNotReturned,
        "approve": "approved",
        "change": org.OrgNotRegistered,
        "convert": org.OrgNotRegistered,
        "deregister": org.OrgNotRegistered,
    },
    "returned": {
        "file": org.OrgAlreadyFiled,
        "return": org.FilingNotPending,
        "resubmit": "pending",
        "approve": org.FilingNotPending,
        "change": org.OrgNotRegistered,
        "convert": org.OrgNotRegistered,
        "deregister": org.OrgNotRegistered,
    },
    "approved": {
        "file": org.OrgAlreadyFiled,
        "return": org.FilingNotPending,
        "resubmit": org.FilingNotReturned,
        "approve": org.FilingNotPending,
        "change": "approved",
        "convert": "volunteer_team",
        "deregister": "deregistered",
    },
    "volunteer_team": {
        "file": org.OrgAlreadyFiled,
        "return": org.FilingNotPending,
        "resubmit": org.FilingNotReturned,
        "approve": org.FilingNotPending,
        "change": "volunteer_team",
        "convert": org.OrgAlreadyVolunteerTeam,
        "deregister": "deregistered",
    },
    "deregistered": {"file": org.OrgAlreadyFiled}
    | dict.fromkeys(
        ["return", "resubmit", "approve", "change", "convert", "deregister"],
        org.OrgAlreadyDeregistered,
    ),
}
AGGREGATE = OrganisationAggregate()


def apply(state, events):
    for event in events:
        envelope = Envelope.wrap(
            event,
            aggregate_id=ORG_ID,
            station_id=STATION,
            actor="t",
            occurred_at=datetime(2024, 3, 19, tzinfo=UTC),
        )
        state = AGGREGATE.evolve(state, event, envelope)
    return state


def reach(status):
    state = AGGREGATE.initial()
    for command in PATH_TO[status]:
        state = apply(state, COMMANDS[command](state))
    assert state.status == Status(status)
    return state


@pytest.mark.parametrize(
    "status,command,outcome", [(s, c, o) for s, row in TABLE.items() for c, o in row.items()]
)
def test_every_command_in_every_state_moves_or_is_refused_by_name(status, command, outcome):
    state = reach(status)
    if isinstance(outcome, str):
        assert apply(state, COMMANDS[command](state)).status == Status(outcome)
    else:
        with pytest.raises(outcome):
            COMMANDS[command](state)


def test_the_table_covers_every_state_and_command():
    assert set(TABLE) == {s.value for s in Status}
    assert all(set(row) == set(COMMANDS) for row in TABLE.values())


def test_illegal_transitions_are_conflicts_and_unknown_organisations_not_found():
    assert org.FilingNotPending("x").status == 409
    assert org.OrgAlreadyDeregistered("x").status == 409
    assert org.OrganisationNotFound("x").status == 404


def test_an_organisation_of_another_station_is_not_found():
    state = reach("pending")
    with pytest.raises(org.OrganisationNotFound):
        org.approve(state, "chengguan-caochangjie", ORG_ID, "chengguan-caochangjie-2024-0001")


def test_a_change_that_names_nothing_is_refused():
    with pytest.raises(org.NothingToChange):
        org.change(reach("approved"), STATION, ORG_ID, OrgChanged(note="没有变化"))


def test_approval_carries_the_filing_number_and_the_name_as_filed_or_corrected():
    state = reach("returned")
    state = apply(
        state, org.resubmit(state, STATION, ORG_ID, OrgFilingResubmitted(name="银龄合唱团"))
    )
    [approved] = org.approve(state, STATION, ORG_ID, org.filing_number(STATION, 2024, 7))
    assert (approved.filing_number, approved.name) == ("xigu-fulilu-2024-0007", "银龄合唱团")


def test_names_compare_without_case_width_or_spaces():
    assert org.name_key(" 银龄 之声\u3000合唱团 ") == org.name_key("银龄之声合唱团")
    assert org.name_key("ＡＢＣ舞蹈队") == org.name_key("abc舞蹈队")
    assert org.name_key("银龄之声合唱团") != org.name_key("银龄之声合唱队")

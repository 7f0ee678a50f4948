"""The filing lifecycle as pure domain code: every state against every command, given the events
that reach the state, then the events decided or the rule that refuses; no database."""

from datetime import UTC, datetime
from typing import TypedDict

import pytest
from shegong_events import DomainEvent
from shegong_events.registry import (
    OrgChanged,
    OrgContactErased,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import ORGANISATION, Status
from shegong_testing.decider import scenario

STATION, ORG_ID = "xigu-fulilu", "org-1"


class Here(TypedDict):
    station_id: str
    organisation_id: str


HERE: Here = {"station_id": STATION, "organisation_id": ORG_ID}
SEALED = "sealed:v1:AAAA"
NUMBER = org.filing_number(STATION, 2024, 1)
given = scenario(ORGANISATION, aggregate_id=ORG_ID, station_id=STATION)

FILED = OrgFiled(
    station_id=STATION,
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed=SEALED,
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练两次",
)
RETURNED = OrgFilingReturned(reasons=["章程不完整"])
APPROVED = OrgFilingApproved(filing_number=NUMBER, name=FILED.name, category=FILED.category)
CONVERTED = OrgConvertedToVolunteerTeam(volunteers=9, service_focus="助老")
DEREGISTERED = OrgDeregistered(reason="解散")

COMMANDS = {
    "file": org.FileOrganisation(
        **HERE,
        name=FILED.name,
        category=FILED.category,
        community=FILED.community,
        responsible_person_sealed=SEALED,
        members=20,
        activity_area=FILED.activity_area,
        charter_summary=FILED.charter_summary,
    ),
    "return": org.ReturnFiling(**HERE, reasons=("章程不完整",)),
    "resubmit": org.Resubmit(**HERE, members=21),
    "approve": org.Approve(**HERE, filing_number=NUMBER),
    "change": org.Change(**HERE, members=25),
    "convert": org.ConvertToVolunteerTeam(**HERE, volunteers=9, service_focus="助老"),
    "deregister": org.Deregister(**HERE, reason="解散"),
}
DECIDED: dict[str, list[DomainEvent]] = {
    "file": [FILED],
    "return": [RETURNED],
    "resubmit": [OrgFilingResubmitted(members=21)],
    "approve": [APPROVED],
    "change": [OrgChanged(members=25)],
    "convert": [CONVERTED],
    "deregister": [DEREGISTERED],
}
HISTORY: dict[str, list[DomainEvent]] = {
    "none": [],
    "pending": [FILED],
    "returned": [FILED, RETURNED],
    "approved": [FILED, APPROVED],
    "volunteer_team": [FILED, APPROVED, CONVERTED],
    "deregistered": [FILED, APPROVED, DEREGISTERED],
}
# state → command → the state it leads to, or the error that refuses it
TABLE: dict[str, dict[str, str | type[Exception]]] = {
    "none": {
        "file": "pending",
        **dict.fromkeys(
            ["return", "resubmit", "approve", "change", "convert", "deregister"],
            org.OrganisationNotFound,
        ),
    },
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
    "deregistered": {
        "file": org.OrgAlreadyFiled,
        **dict.fromkeys(
            ["return", "resubmit", "approve", "change", "convert", "deregister"],
            org.OrgAlreadyDeregistered,
        ),
    },
}


@pytest.mark.parametrize(
    "status,command,outcome", [(s, c, o) for s, row in TABLE.items() for c, o in row.items()]
)
def test_every_command_in_every_state_moves_or_is_refused_by_name(status, command, outcome):
    assert given(*HISTORY[status]).state.status == Status(status)
    when = given(*HISTORY[status]).when(COMMANDS[command])
    if isinstance(outcome, str):
        assert when.then(*DECIDED[command]).status == Status(outcome)
    else:
        when.raises(outcome)


def test_the_table_covers_every_state_and_command():
    assert set(TABLE) == {s.value for s in Status}
    assert all(set(row) == set(COMMANDS) for row in TABLE.values())
    assert set(HISTORY) == set(TABLE)


def test_illegal_transitions_are_conflicts_and_unknown_organisations_not_found():
    assert org.FilingNotPending("x").status == 409
    assert org.OrgAlreadyDeregistered("x").status == 409
    assert org.OrganisationNotFound("x").status == 404


def test_an_organisation_of_another_station_is_not_found():
    elsewhere = org.Approve(
        station_id="chengguan-caochangjie",
        organisation_id=ORG_ID,
        filing_number="chengguan-caochangjie-2024-0001",
    )
    given(FILED).when(elsewhere).raises(org.OrganisationNotFound)


def test_a_change_that_names_nothing_is_refused():
    given(FILED, APPROVED).when(org.Change(**HERE, note="没有变化")).raises(org.NothingToChange)


def test_approval_carries_the_filing_number_and_the_name_as_filed_or_corrected():
    number = org.filing_number(STATION, 2024, 7)
    given(FILED, RETURNED, OrgFilingResubmitted(name="银龄合唱团")).when(
        org.Approve(**HERE, filing_number=number)
    ).then(
        OrgFilingApproved(
            filing_number="xigu-fulilu-2024-0007", name="银龄合唱团", category="culture_sports"
        )
    )


def test_a_converted_team_takes_its_new_name():
    state = (
        given(FILED, APPROVED)
        .when(
            org.ConvertToVolunteerTeam(
                **HERE, team_name="银龄志愿服务队", volunteers=9, service_focus="助老"
            )
        )
        .then(
            OrgConvertedToVolunteerTeam(
                team_name="银龄志愿服务队", volunteers=9, service_focus="助老"
            )
        )
    )
    assert (state.status, state.name) == (Status.volunteer_team, "银龄志愿服务队")


def test_the_contact_of_any_filed_organisation_can_be_erased_but_not_of_an_unknown_one():
    at = datetime(2024, 4, 1, tzinfo=UTC)
    erase = org.EraseContact(**HERE, reason="subject_request", erased_at=at)
    given(FILED, APPROVED, DEREGISTERED).when(erase).then(
        OrgContactErased(reason="subject_request", erased_at=at)
    )
    given().when(erase).raises(org.OrganisationNotFound)


def test_names_compare_without_case_width_or_spaces():
    assert org.name_key(" 银龄 之声\u3000合唱团 ") == org.name_key("银龄之声合唱团")
    assert org.name_key("ＡＢＣ舞蹈队") == org.name_key("abc舞蹈队")
    assert org.name_key("银龄之声合唱团") != org.name_key("银龄之声合唱队")

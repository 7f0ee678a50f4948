"""Property tests of the aggregates' rules: whatever sequence of commands arrives, the events
of those accepted, written out and read back as the store and the stream carry them, fold
into the very state the commands left; and each aggregate's own invariants hold throughout.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TypedDict

from hypothesis import given, settings
from hypothesis import strategies as st
from shegong_engagement.domain.volunteer import (
    VOLUNTEER,
    BeginSession,
    EndSession,
    Enroll,
    check_in,
    check_out,
    close_expired,
    enroll,
)
from shegong_events import Envelope
from shegong_events.calendar import STATION_TZ
from shegong_events.registry import OrgFiled
from shegong_registry.domain import organisation as org
from shegong_registry.domain.organisation import ORGANISATION
from shegong_runtime.errors import DomainError
from shegong_runtime.inputs import EARLIEST_YEAR, LATEST_YEAR
from shegong_visits.domain import commands as household
from shegong_visits.domain.household import HouseholdDecider
from shegong_visits.domain.policy import VisitPolicy

STATION = "xigu-fulilu"
SEALED = "sealed:v1:AAAA"
RUNS = settings(max_examples=150, deadline=None)


class Stream:
    """One aggregate's accepted events as the store keeps them: numbered, serialised."""

    def __init__(self, aggregate, aggregate_id: str) -> None:
        self.aggregate, self.aggregate_id = aggregate, aggregate_id
        self.state = aggregate.initial()
        self.stored: list[str] = []

    def run(self, decide) -> bool:
        try:
            events = decide(self.state)
        except DomainError:
            return False
        for event in events:
            envelope = Envelope.wrap(
                event, aggregate_id=self.aggregate_id, station_id=STATION, actor="property"
            ).model_copy(update={"aggregate_version": len(self.stored) + 1})
            self.state = self.aggregate.evolve(self.state, event)
            self.stored.append(envelope.model_dump_json())
        return True

    def replayed(self):
        return self.aggregate.fold([Envelope.model_validate_json(raw) for raw in self.stored])


# --- organisations (备案): file, return, resubmit, approve, change, convert, deregister

FILED = OrgFiled(
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed=SEALED,
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练两次",
)


class Here(TypedDict):
    station_id: str
    organisation_id: str


HERE: Here = {"station_id": STATION, "organisation_id": "org-p"}
FILE = org.FileOrganisation(
    **HERE,
    name=FILED.name,
    category=FILED.category,
    community=FILED.community,
    responsible_person_sealed=SEALED,
    members=FILED.members,
    activity_area=FILED.activity_area,
    charter_summary=FILED.charter_summary,
)


def decided(command):
    return lambda s: ORGANISATION.decide(command, s)


organisation_commands = st.one_of(
    st.just(decided(FILE)),
    st.just(decided(org.ReturnFiling(**HERE, reasons=("材料不全",)))),
    st.builds(
        lambda name: decided(org.Resubmit(**HERE, name=name)),
        st.sampled_from([None, "银龄合唱团", "夕阳红合唱团"]),
    ),
    st.builds(
        lambda year, seq: decided(
            org.Approve(**HERE, filing_number=org.filing_number(STATION, year, seq))
        ),
        st.integers(EARLIEST_YEAR, LATEST_YEAR),
        st.integers(1, 9999),
    ),
    st.builds(lambda members: decided(org.Change(**HERE, members=members)), st.integers(1, 500)),
    st.just(decided(org.ConvertToVolunteerTeam(**HERE, volunteers=9, service_focus="助老"))),
    st.just(decided(org.Deregister(**HERE, reason="团队解散"))),
)


@RUNS
@given(st.lists(organisation_commands, max_size=25))
def test_any_accepted_filing_history_replays_to_the_same_organisation(commands):
    stream = Stream(ORGANISATION, "org-p")
    stream.run(decided(FILE))  # most histories start with a filing
    for command in commands:
        before = stream.state.status
        if stream.run(command) and before == org.Status.deregistered:
            raise AssertionError("a deregistered organisation accepted a command")
    assert stream.replayed() == stream.state
    if stream.state.filing_number is not None:  # any approval year in range numbers cleanly
        assert stream.state.filing_number.startswith(f"{STATION}-")


# --- volunteers: enrol, check in, check out, the sweeper closing at the limit

LIMIT = timedelta(hours=8)
T0 = datetime(2024, 3, 16, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)
minutes = st.integers(0, 60 * 24 * 20)
volunteer_commands = st.one_of(
    st.just(
        lambda s: enroll(
            s, Enroll("xigu-fulilu", "v-1", "student", name_sealed=SEALED, today=T0.date())
        )
    ),
    st.builds(
        lambda sid, m: (
            lambda s: check_in(
                s,
                BeginSession(
                    "xigu-fulilu",
                    "v-1",
                    f"s{sid}",
                    T0 + timedelta(minutes=m),
                    "助老陪伴",
                    NOW,
                    LIMIT,
                ),
            )
        ),
        st.integers(0, 2),
        minutes,
    ),
    st.builds(
        lambda sid, m: (
            lambda s: check_out(
                s,
                EndSession("xigu-fulilu", "v-1", f"s{sid}", T0 + timedelta(minutes=m), NOW, LIMIT),
            )
        ),
        st.integers(0, 2),
        minutes,
    ),
    st.builds(lambda m: lambda s: close_expired(s, T0 + timedelta(minutes=m), LIMIT), minutes),
)


@RUNS
@given(st.lists(volunteer_commands, max_size=30))
def test_any_accepted_service_history_replays_to_the_same_volunteer(commands):
    stream = Stream(VOLUNTEER, "v-p")
    for command in commands:
        stream.run(command)
        state = stream.state
        open_ = [sid for sid, s in state.sessions.items() if s.checked_out_at is None]
        assert open_ == ([state.open_session] if state.open_session else [])
        spans = sorted((s.checked_in_at, s.checked_out_at or NOW) for s in state.sessions.values())
        assert all(end <= nxt for (_, end), (nxt, _) in pairwise(spans))
        assert all(s.minutes <= LIMIT.total_seconds() // 60 for s in state.sessions.values())
    assert stream.replayed() == stream.state


# --- households: register, visit, assign a tier, schedule a follow-up, erase

POLICY = VisitPolicy()
H_T0 = datetime(2024, 3, 1, 9, 0, tzinfo=STATION_TZ)
H_NOW = H_T0 + timedelta(days=60)
HOUSEHOLD = HouseholdDecider(POLICY, clock=lambda: H_NOW)
hours = st.integers(0, 24 * 70)
household_commands = st.one_of(
    st.builds(
        lambda tier, h: household.RegisterHousehold(
            "h-p",
            ("temporary_assistance",),
            "福东社区",
            (),
            SEALED,
            None,
            None,
            None,
            H_T0 + timedelta(hours=h),
            tier,
            station_id=STATION,
        ),
        st.sampled_from(["high", "key", "general"]),
        hours,
    ),
    st.builds(
        lambda n, h: household.RecordVisit(
            f"v{n}", H_T0 + timedelta(hours=h), "home_visit", ("sw1",)
        ),
        st.integers(0, 6),
        hours,
    ),
    st.builds(
        lambda tier, major, h: household.AssignRiskTier(
            tier, "periodic_review", H_T0 + timedelta(hours=h), major
        ),
        st.sampled_from(["high", "key", "general"]),
        st.booleans(),
        hours,
    ),
    st.builds(
        lambda d: household.ScheduleFollowUp((H_T0 + timedelta(days=d)).date(), "sw1"),
        st.integers(0, 70),
    ),
    st.just(household.EraseHousehold("subject_request")),
)


@RUNS
@given(household_commands, st.lists(household_commands, max_size=25))
def test_any_accepted_household_history_replays_to_the_same_household(first, commands):
    stream = Stream(HOUSEHOLD, "h-p")
    stream.run(lambda s: HOUSEHOLD.decide(first, s))  # most histories start with a registration
    for command in commands:
        stream.run(lambda s, command=command: HOUSEHOLD.decide(command, s))
    assert stream.replayed() == stream.state

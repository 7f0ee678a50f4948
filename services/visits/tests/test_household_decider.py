"""The household decider's rules as given/when/then: events in, a command, events out (or the
rule refusing it). No database, no bus; the clock is fixed."""

from datetime import date, datetime, timedelta

import pytest
from shegong_events.calendar import STATION_TZ, local_date
from shegong_events.visits import (
    ConsentGranted,
    HouseholdErased,
    HouseholdRegistered,
    LegalBasisRecorded,
    Member,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    RiskTierAssigned,
    ServiceGiven,
    VisitRecorded,
    VisitScheduled,
)
from shegong_testing.decider import scenario
from shegong_visits.config import VisitsSettings
from shegong_visits.domain import commands as do
from shegong_visits.domain import consent, need, registration, visit
from shegong_visits.domain.household import HouseholdDecider
from shegong_visits.domain.policy import VisitDatedInFuture, VisitPolicy, end_of_day
from shegong_visits.domain.state import HouseholdAlreadyErased, HouseholdNotFound

NOW = datetime(2024, 3, 22, 18, 0, tzinfo=STATION_TZ)
POLICY = VisitPolicy()
CHILD = Member(member_id="kid", relation="grandchild", birth_year=2012)
given = scenario(HouseholdDecider(POLICY, clock=lambda: NOW), aggregate_id="h1", station_id="st")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=STATION_TZ)


def register(tier="general", members=(), station_id=None) -> do.RegisterHousehold:
    return do.RegisterHousehold(
        "h1", ("minimum_living_allowance",), None, tuple(members), "sealed:v1:x", None, None, None,
        at(1), tier, station_id=station_id,
    )  # fmt: skip


def registered(members=()) -> HouseholdRegistered:
    return HouseholdRegistered(
        household_id="h1",
        categories=["minimum_living_allowance"],
        member_count=1 + len(members),
        members=list(members),
        head_name_sealed="sealed:v1:x",
        registered_at=at(1),
    )


def tiered(tier, due, when=None, previous=None, reason="initial_assessment", major=False):
    return RiskTierAssigned(
        tier=tier,
        previous_tier=previous,
        reason=reason,
        major_change=major,
        assigned_at=when or at(1),
        next_due_at=due,
    )


def record(day, follow_up=None, **kw) -> do.RecordVisit:
    return do.RecordVisit(
        f"v{day}", at(day), "home_visit", ("sw1",), next_follow_up_on=follow_up, **kw
    )


def recorded(day, due, follow_up=None, **kw) -> VisitRecorded:
    return VisitRecorded(
        visit_id=f"v{day}",
        visited_at=at(day),
        mode="home_visit",
        social_worker_ids=["sw1"],
        next_follow_up_on=follow_up,
        next_due_at=due,
        **kw,
    )


GENERAL = (registered(), tiered("general", at(1) + timedelta(days=90)))


# --- registration and tiers: when the next visit is due


@pytest.mark.parametrize(("tier", "days"), [("high", 7), ("key", 30), ("general", 90)])
def test_the_tier_sets_when_the_next_visit_is_due(tier, days):
    state = (
        given().when(register(tier)).then(registered(), tiered(tier, at(1) + timedelta(days=days)))
    )
    assert state.next_due_at == at(1) + timedelta(days=days)


def test_a_household_is_at_the_station_its_registration_names():
    named = registered().model_copy(update={"station_id": "st"})
    state = (
        given()
        .when(register(station_id="st"))
        .then(named, tiered("general", at(1) + timedelta(days=90)))
    )
    assert state.station_id == "st"
    assert (
        given(registered()).state.station_id == "st"
    )  # stored before it named one: the envelope's


def test_a_household_is_registered_once():
    given(*GENERAL).when(register()).raises(registration.HouseholdAlreadyRegistered)


def test_a_major_change_makes_the_next_visit_due_within_24_hours():
    major = tiered("high", at(5) + timedelta(hours=24), at(5), "general", "hospitalised", True)
    given(*GENERAL).when(do.AssignRiskTier("high", "hospitalised", at(5), True)).then(major)
    state = given(*GENERAL, major).when(record(6)).then(recorded(6, at(6) + timedelta(days=7)))
    assert state.next_due_at == at(6) + timedelta(days=7)  # the visit answered the major change


def test_raising_the_tier_counts_the_interval_from_the_last_visit():
    visited = recorded(2, at(2) + timedelta(days=90))
    given(*GENERAL, visited).when(do.AssignRiskTier("high", "health_decline", at(8))).then(
        tiered("high", at(2) + timedelta(days=7), at(8), "general", "health_decline")
    )


def test_a_follow_up_brings_the_next_visit_forward_but_never_beyond_the_tier_interval():
    key = (registered(), tiered("key", at(1) + timedelta(days=30)))
    soon = recorded(4, end_of_day(date(2024, 3, 10)), date(2024, 3, 10))
    given(*key).when(record(4, date(2024, 3, 10))).then(soon)
    late = recorded(11, at(11) + timedelta(days=30), date(2024, 6, 30))
    given(*key, soon).when(record(11, date(2024, 6, 30))).then(late)


def test_an_older_visit_entered_late_moves_no_dates():
    high = (registered(), tiered("high", at(1) + timedelta(days=7)))
    last = recorded(10, at(10) + timedelta(days=7))
    before = given(*high, last).state
    later = given(*high, last).when(record(3)).then(recorded(3, before.next_due_at))
    assert later.last_visit_at == at(10) and later.next_due_at == before.next_due_at


def test_intervals_come_from_shegong_visits_settings(monkeypatch):
    monkeypatch.setenv("SHEGONG_VISITS_HIGH_INTERVAL_DAYS", "3")
    monkeypatch.setenv("SHEGONG_VISITS_HIGH_MAJOR_CHANGE_HOURS", "12")
    policy = VisitsSettings().policy()
    assert policy.interval("high") == timedelta(days=3) and policy.major_change == timedelta(
        hours=12
    )
    assert policy.interval("general") == timedelta(days=90)


def test_an_update_changes_something():
    empty = do.UpdateHousehold(updated_at=at(5))
    given(*GENERAL).when(empty).raises(registration.NothingToUpdate)


# --- visits


def test_visits_in_the_future_and_follow_ups_before_the_visit_are_refused():
    future = do.RecordVisit("v", NOW + timedelta(hours=1), "phone", ("sw1",))
    assert given(*GENERAL).when(future).raises(VisitDatedInFuture).field == "visited_at"
    early = given(*GENERAL).when(record(10, date(2024, 3, 9))).raises(visit.FollowUpBeforeVisit)
    assert early.field == "next_follow_up_on"


def test_a_policy_briefing_names_its_policies():
    briefing = record(10, services=(ServiceGiven(kind="policy_briefing"),))
    refused = given(*GENERAL).when(briefing).raises(visit.PolicyBriefingWithoutPolicy)
    assert refused.field == "services.0.policies"


def test_a_visit_is_recorded_once_and_an_unscheduled_visit_is_allowed():
    first = recorded(10, at(10) + timedelta(days=90))
    given(*GENERAL).when(record(10)).then(first)
    assert first.was_scheduled is False
    given(*GENERAL, first).when(record(10)).raises(visit.VisitAlreadyRecorded)


def test_a_scheduled_visit_is_scheduled_once_and_recorded_as_scheduled():
    plan = do.ScheduleVisit("v10", date(2024, 3, 10), "sw1", ("needs_assessment",))
    planned = VisitScheduled(
        visit_id="v10",
        scheduled_for=date(2024, 3, 10),
        social_worker_id="sw1",
        purposes=["needs_assessment"],
    )
    given(*GENERAL).when(plan).then(planned)
    given(*GENERAL, planned).when(plan).raises(visit.VisitAlreadyScheduled)
    given(*GENERAL, planned).when(record(10)).then(
        recorded(10, at(10) + timedelta(days=90), was_scheduled=True)
    )


def test_needs_found_on_a_visit_are_appended_with_it_on_the_visit_day():
    found = do.FoundNeed("n1", "medical", "high")
    given(*GENERAL).when(record(10, needs=(found,))).then(
        recorded(10, at(10) + timedelta(days=90), needs_identified=1),
        NeedIdentified(
            need_id="n1",
            category="medical",
            severity="high",
            visit_id="v10",
            identified_on=date(2024, 3, 10),
        ),
    )


def test_commands_on_unknown_or_erased_households_are_refused():
    given().when(record(10)).raises(HouseholdNotFound)
    erased = HouseholdErased(reason="subject_request", erased_at=NOW)
    given(*GENERAL).when(do.EraseHousehold("subject_request")).then(erased)
    given(*GENERAL, erased).when(record(10)).raises(HouseholdAlreadyErased)


# --- needs, consent and referrals

IDENTIFIED = NeedIdentified(
    need_id="n1", category="medical", severity="high", identified_on=date(2024, 3, 5)
)
WITH_NEED = (registered([CHILD]), tiered("general", at(1) + timedelta(days=90)), IDENTIFIED)
REFER = do.ReferNeed("n1", "社区卫生服务中心", "health", date(2024, 3, 6))


def referred(basis, legal_basis=None) -> NeedReferred:
    return NeedReferred(
        need_id="n1",
        category="medical",
        severity="high",
        agency="社区卫生服务中心",
        agency_kind="health",
        referred_on=date(2024, 3, 6),
        lawful_basis=basis,
        legal_basis=legal_basis,
    )


def test_a_need_is_identified_once_for_a_known_visit():
    identify = do.IdentifyNeed("n1", "medical", "high", date(2024, 3, 5))
    given(*GENERAL).when(identify).then(IDENTIFIED)
    given(*WITH_NEED).when(identify).raises(need.NeedAlreadyIdentified)
    on_a_visit = do.IdentifyNeed("n2", "care", "low", date(2024, 3, 5), visit_id="v9")
    assert given(*GENERAL).when(on_a_visit).raises(need.UnknownVisit).field == "visit_id"


def test_a_referral_needs_consent_or_a_legal_basis():
    given(*WITH_NEED).when(REFER).raises(need.ReferralWithoutConsent)
    granted = ConsentGranted(purpose="referral", given_by="self", granted_on=date(2024, 3, 6))
    given(*WITH_NEED).when(do.GrantConsent("referral", "self", date(2024, 3, 6))).then(granted)
    given(*WITH_NEED, granted).when(REFER).then(referred("consent"))
    basis = LegalBasisRecorded(
        purpose="referral", basis="social_assistance_duty", recorded_on=date(2024, 3, 6)
    )
    given(*WITH_NEED, basis).when(REFER).then(referred("legal_basis", "social_assistance_duty"))


def test_a_child_who_may_be_under_14_consents_only_through_a_guardian():
    by_child = do.GrantConsent("referral", "self", date(2024, 3, 6), member_id="kid")
    refused = given(*WITH_NEED).when(by_child).raises(consent.GuardianConsentRequired)
    assert refused.field == "given_by"
    assert consent.may_be_under_14(
        Member(member_id="a", relation="child", birth_year=2010), date(2024, 3, 6)
    )
    assert not consent.may_be_under_14(
        Member(member_id="a", relation="child", birth_year=2009), date(2024, 3, 6)
    )


def test_a_settled_need_is_final():
    closed = NeedClosed(
        need_id="n1",
        category="medical",
        severity="high",
        reason="declined",
        closed_on=date(2024, 3, 7),
    )
    given(*WITH_NEED).when(do.CloseNeed("n1", "declined", date(2024, 3, 7))).then(closed)
    resolve = do.ResolveNeed("n1", "service_provided", date(2024, 3, 8))
    given(*WITH_NEED, closed).when(resolve).raises(need.NeedAlreadySettled)
    unknown = do.CloseNeed("n9", "declined", date(2024, 3, 8))
    given(*WITH_NEED, closed).when(unknown).raises(need.NeedNotFound)


def test_erasure_closes_open_needs_before_erasing():
    given(*WITH_NEED).when(do.EraseHousehold("subject_request")).then(
        NeedClosed(
            need_id="n1",
            category="medical",
            severity="high",
            reason="household_erased",
            closed_on=local_date(NOW),
        ),
        HouseholdErased(reason="subject_request", erased_at=NOW, needs_closed=1),
    )

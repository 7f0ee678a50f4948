"""The visits domain's rules as pure functions: no database, no bus."""

from datetime import UTC, date, datetime, timedelta

import pytest
from shegong_events.visits import (
    ConsentGranted,
    LegalBasisRecorded,
    Member,
    NeedIdentified,
    ServiceGiven,
)
from shegong_visits.config import VisitsSettings
from shegong_visits.domain import consent, need, registration, visit
from shegong_visits.domain.household import Household as State
from shegong_visits.domain.household import HouseholdAlreadyErased, HouseholdNotFound, apply
from shegong_visits.domain.policy import STATION_TZ, VisitPolicy, end_of_day

NOW = datetime(2024, 3, 22, 18, 0, tzinfo=STATION_TZ)
POLICY = VisitPolicy()
CHILD = Member(member_id="kid", relation="grandchild", birth_year=2012)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=STATION_TZ)


def fold(state, events):
    for e in events:
        state = apply(state, e)
    return state


def registered(tier="general", day=1, members=()) -> State:
    cmd = registration.RegisterHousehold(
        "h1",
        ("minimum_living_allowance",),
        None,
        tuple(members),
        "sealed:v1:x",
        None,
        None,
        None,
        at(day),
        tier,
    )
    return fold(State(), registration.register(State(), cmd, POLICY, NOW))


def visited(state, day, follow_up=None, **kw):
    cmd = visit.RecordVisit(
        f"v{day}", at(day), "home_visit", ("sw1",), next_follow_up_on=follow_up, **kw
    )
    events = visit.record(state, "h1", cmd, POLICY, NOW)
    return fold(state, events), events


@pytest.mark.parametrize(("tier", "days"), [("high", 7), ("key", 30), ("general", 90)])
def test_the_tier_sets_when_the_next_visit_is_due(tier, days):
    assert registered(tier).next_due_at == at(1) + timedelta(days=days)


def test_a_major_change_makes_the_next_visit_due_within_24_hours():
    state = registered("general")
    events = registration.assign_tier(
        state, registration.AssignRiskTier("high", "hospitalised", at(5), True), POLICY, NOW
    )
    assert events[0].next_due_at == at(5) + timedelta(hours=24)
    state, _ = visited(fold(state, events), 6)
    assert state.next_due_at == at(6) + timedelta(days=7)  # the visit answered the major change


def test_raising_the_tier_counts_the_interval_from_the_last_visit():
    state, _ = visited(registered("general"), 2)
    events = registration.assign_tier(
        state, registration.AssignRiskTier("high", "health_decline", at(8)), POLICY, NOW
    )
    assert events[0].next_due_at == at(2) + timedelta(days=7)


def test_a_follow_up_brings_the_next_visit_forward_but_never_beyond_the_tier_interval():
    state, events = visited(registered("key"), 4, follow_up=date(2024, 3, 10))
    assert events[0].next_due_at == end_of_day(date(2024, 3, 10))
    state, events = visited(state, 11, follow_up=date(2024, 6, 30))
    assert events[0].next_due_at == at(11) + timedelta(days=30)


def test_an_older_visit_entered_late_moves_no_dates():
    state, _ = visited(registered("high"), 10)
    later, _ = visited(state, 3)
    assert later.last_visit_at == at(10) and later.next_due_at == state.next_due_at


def test_intervals_come_from_shegong_visits_settings(monkeypatch):
    monkeypatch.setenv("SHEGONG_VISITS_HIGH_INTERVAL_DAYS", "3")
    monkeypatch.setenv("SHEGONG_VISITS_HIGH_MAJOR_CHANGE_HOURS", "12")
    policy = VisitsSettings().policy()
    assert policy.interval("high") == timedelta(days=3) and policy.major_change == timedelta(
        hours=12
    )
    assert policy.interval("general") == timedelta(days=90)


def test_visits_in_the_future_and_follow_ups_before_the_visit_are_refused():
    state = registered()
    with pytest.raises(visit.VisitDatedInFuture) as future:
        visit.record(
            state,
            "h1",
            visit.RecordVisit("v", NOW + timedelta(hours=1), "phone", ("sw1",)),
            POLICY,
            NOW,
        )
    assert future.value.field == "visited_at"
    with pytest.raises(visit.FollowUpBeforeVisit) as early:
        visited(state, 10, follow_up=date(2024, 3, 9))
    assert early.value.field == "next_follow_up_on"


def test_a_policy_briefing_names_its_policies():
    with pytest.raises(visit.PolicyBriefingWithoutPolicy) as refused:
        visited(registered(), 10, services=(ServiceGiven(kind="policy_briefing"),))
    assert refused.value.field == "services.0.policies"


def test_a_visit_is_recorded_once_and_an_unscheduled_visit_is_allowed():
    state, events = visited(registered(), 10)
    assert events[0].was_scheduled is False
    with pytest.raises(visit.VisitAlreadyRecorded):
        visited(state, 10)


def test_commands_on_unknown_or_erased_households_are_refused():
    with pytest.raises(HouseholdNotFound):
        visited(State(), 10)
    erased = fold(registered(), registration.erase(registered(), "h1", "subject_request", NOW))
    with pytest.raises(HouseholdAlreadyErased):
        visited(erased, 10)


def _with_need(member_id=None):
    state = registered(members=[CHILD])
    found = NeedIdentified(
        need_id="n1",
        category="medical",
        severity="high",
        member_id=member_id,
        identified_on=date(2024, 3, 5),
    )
    return fold(state, need.identify(state, "h1", found, NOW))


def test_a_referral_needs_consent_or_a_legal_basis():
    state = _with_need()
    refer = need.ReferNeed("社区卫生服务中心", "health", date(2024, 3, 6))
    with pytest.raises(need.ReferralWithoutConsent):
        need.refer(state, "h1", "n1", refer, NOW)
    granted = ConsentGranted(purpose="referral", given_by="self", granted_on=date(2024, 3, 6))
    assert (
        need.refer(fold(state, consent.grant(state, "h1", granted, NOW)), "h1", "n1", refer, NOW)[
            0
        ].lawful_basis
        == "consent"
    )
    basis = LegalBasisRecorded(
        purpose="referral", basis="social_assistance_duty", recorded_on=date(2024, 3, 6)
    )
    referred = need.refer(fold(state, [basis]), "h1", "n1", refer, NOW)[0]
    assert (referred.lawful_basis, referred.legal_basis) == (
        "legal_basis",
        "social_assistance_duty",
    )


def test_a_child_who_may_be_under_14_consents_only_through_a_guardian():
    state = _with_need("kid")
    by_child = ConsentGranted(
        purpose="referral", member_id="kid", given_by="self", granted_on=date(2024, 3, 6)
    )
    with pytest.raises(consent.GuardianConsentRequired) as refused:
        consent.grant(state, "h1", by_child, NOW)
    assert refused.value.field == "given_by"
    assert consent.may_be_under_14(
        Member(member_id="a", relation="child", birth_year=2010), date(2024, 3, 6)
    )
    assert not consent.may_be_under_14(
        Member(member_id="a", relation="child", birth_year=2009), date(2024, 3, 6)
    )


def test_a_settled_need_is_final():
    state = _with_need()
    state = fold(state, need.close(state, "h1", "n1", "declined", date(2024, 3, 7), NOW))
    with pytest.raises(need.NeedAlreadySettled):
        need.resolve(state, "h1", "n1", "service_provided", date(2024, 3, 8), None, NOW)
    with pytest.raises(need.NeedNotFound):
        need.close(state, "h1", "n9", "declined", date(2024, 3, 8), NOW)


def test_erasure_closes_open_needs_before_erasing():
    state = _with_need()
    events = registration.erase(state, "h1", "subject_request", datetime.now(UTC))
    assert [e.event_type for e in events] == ["NeedClosed", "HouseholdErased"]
    assert events[0].reason == "household_erased" and events[1].needs_closed == 1

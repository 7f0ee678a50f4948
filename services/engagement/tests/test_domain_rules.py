"""The pure rules, without a database: quorum arithmetic, the session limit, certificate numbers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from shegong_engagement.config import EngagementSettings
from shegong_engagement.domain.certificate import new_number, normalise
from shegong_engagement.domain.deliberation import tally
from shegong_engagement.domain.errors import CertificateNumberMalformed, SessionAlreadyOpen
from shegong_engagement.domain.volunteer import (
    BeginSession,
    EndSession,
    Session,
    Volunteer,
    check_in,
    check_out,
    close_expired,
)
from shegong_events.engagement import QuorumRule, ServiceSessionCheckedIn, ServiceSessionCheckedOut

LIMIT = timedelta(hours=8)
T0 = datetime(2024, 3, 16, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("members", "present", "quorum_met"),
    [(15, 10, True), (15, 9, False), (20, 14, True), (20, 13, False), (3, 2, True)],
)
def test_two_thirds_of_members_must_be_present(members, present, quorum_met):
    result = tally(QuorumRule(), members, present, votes_for=present, against=0)
    assert result.quorum_met is quorum_met and result.passed is quorum_met


def test_a_simple_majority_of_votes_cast_is_more_than_half_and_ignores_abstentions():
    rule = QuorumRule()
    assert tally(rule, 15, 12, votes_for=4, against=3).passed  # 8 abstained
    assert not tally(rule, 15, 12, votes_for=4, against=4).passed
    assert tally(rule, 15, 12, votes_for=4, against=4).required_for == 5


def test_a_majority_of_members_present_counts_abstentions_against():
    rule = QuorumRule(majority_base="members_present")
    assert not tally(rule, 15, 12, votes_for=6, against=0).passed
    assert tally(rule, 15, 12, votes_for=7, against=0).passed


def test_an_inclusive_two_thirds_majority_is_reached_at_exactly_two_thirds():
    rule = QuorumRule(majority="2/3", majority_inclusive=True)
    assert tally(rule, 9, 9, votes_for=6, against=3).passed
    assert not tally(rule, 9, 9, votes_for=5, against=4).passed


def test_quorum_rules_refuse_fractions_above_one():
    with pytest.raises(ValidationError):
        QuorumRule(attendance="4/3")
    with pytest.raises(ValidationError):
        QuorumRule(majority="half")


def test_the_meeting_rule_wins_over_the_station_rule_over_the_default():
    own, station = QuorumRule(attendance="3/4"), QuorumRule(attendance="1/2")
    config = EngagementSettings(quorum_by_station={"xigu-fulilu": station})
    assert config.quorum_for("xigu-fulilu", own) == (own, "meeting")
    assert config.quorum_for("xigu-fulilu", None) == (station, "station")
    assert config.quorum_for("honggu-haishiwan", None) == (QuorumRule(), "settings")


def test_station_rules_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "SHEGONG_ENGAGEMENT_QUORUM_BY_STATION", '{"xigu-fulilu": {"attendance": "1/2"}}'
    )
    monkeypatch.setenv("SHEGONG_ENGAGEMENT_SESSION_LIMIT_HOURS", "6")
    config = EngagementSettings()
    assert (
        config.quorum_for("xigu-fulilu", None)[0].attendance == "1/2"
        and config.session_limit_hours == 6
    )


def open_since(start: datetime) -> Volunteer:
    return Volunteer(
        enrolled=True, station_id="s", sessions={"s1": Session(start)}, open_session="s1"
    )


def test_a_check_in_after_the_limit_closes_the_forgotten_session_at_the_limit_first():
    state = open_since(T0)
    later = T0 + timedelta(hours=9)
    events = check_in(state, BeginSession("xigu-fulilu", "v1", "s2", later, "x", later, LIMIT))
    closed, opened = events
    assert (
        isinstance(closed, ServiceSessionCheckedOut)
        and closed.auto_closed
        and closed.minutes == 480
    )
    assert closed.checked_out_at == T0 + LIMIT
    assert isinstance(opened, ServiceSessionCheckedIn) and opened.session_id == "s2"


def test_a_check_in_within_the_limit_of_an_open_session_is_refused():
    with pytest.raises(SessionAlreadyOpen):
        at = T0 + timedelta(hours=7)
        check_in(open_since(T0), BeginSession("xigu-fulilu", "v1", "s2", at, "x", at, LIMIT))


def test_check_out_counts_whole_minutes_and_caps_at_the_limit():
    def end(at: datetime) -> EndSession:
        return EndSession("xigu-fulilu", "v1", "s1", at, T0 + LIMIT * 2, LIMIT)

    [normal] = check_out(open_since(T0), end(T0 + timedelta(minutes=90, seconds=59)))
    [capped] = check_out(open_since(T0), end(T0 + timedelta(hours=12)))
    assert isinstance(normal, ServiceSessionCheckedOut)
    assert isinstance(capped, ServiceSessionCheckedOut)
    assert (normal.minutes, normal.auto_closed) == (90, False)
    assert (capped.minutes, capped.auto_closed, capped.checked_out_at) == (480, True, T0 + LIMIT)


def test_the_sweeper_closes_only_sessions_past_the_limit():
    assert close_expired(open_since(T0), T0 + LIMIT - timedelta(seconds=1), LIMIT) == []
    [closed] = close_expired(open_since(T0), T0 + LIMIT, LIMIT)
    assert isinstance(closed, ServiceSessionCheckedOut)
    assert closed.auto_closed and closed.limit_hours == 8
    assert close_expired(Volunteer(enrolled=True), T0 + LIMIT * 3, LIMIT) == []


def test_certificate_numbers_carry_a_check_character_that_catches_typos():
    number = new_number(date(2024, 3, 22).year)
    assert number.startswith("ZY-2024-") and normalise(f" {number.lower()} ") == number
    assert normalise("ZY-2024-7KQ3M-9TXWA-Y") == "ZY-2024-7KQ3M-9TXWA-Y"
    typo, transposed = "ZY-2024-7KQ3M-9TXWB-Y", "ZY-2024-K7Q3M-9TXWA-Y"
    for bad in (typo, transposed, "ZY-2024-ILOU0-00000-0", "12345"):
        with pytest.raises(CertificateNumberMalformed):
            normalise(bad)

"""The volunteer decider, rule by rule: enrolment, trainings, service sessions under the limit,
certificates of the hours."""

from datetime import UTC, date, datetime, timedelta

from shegong_engagement.domain.certificate import Certify
from shegong_engagement.domain.errors import (
    CheckOutBeforeCheckIn,
    NothingToCertify,
    PeriodReversed,
    SessionAlreadyClosed,
    SessionAlreadyOpen,
    SessionNotFound,
    SessionsOverlap,
    TimeInFuture,
    TrainingAlreadyRecorded,
    VolunteerAlreadyEnrolled,
    VolunteerNotFound,
)
from shegong_engagement.domain.volunteer import (
    VOLUNTEER,
    AttendTraining,
    BeginSession,
    CloseExpiredSession,
    EndSession,
    Enroll,
)
from shegong_events.engagement import (
    CertificateIssued,
    ServiceSessionCheckedIn,
    ServiceSessionCheckedOut,
    TrainingAttended,
    VolunteerEnrolled,
)
from shegong_testing.decider import scenario

STATION, VID = "chengguan-tieluxicun", "v-1"
given = scenario(VOLUNTEER, aggregate_id=VID, station_id=STATION)
LIMIT = timedelta(hours=8)
T0 = datetime(2024, 3, 16, 1, 0, tzinfo=UTC)  # 09:00 at the station
NOW = T0 + timedelta(days=1)
NUMBER = "ZY-2024-7KQ3M-9TXWA-Y"

enrolled = VolunteerEnrolled(
    station_id=STATION,
    category="student",
    affiliation="兰州财经大学社会工作协会",
    skills=["入户陪伴"],
    name_sealed="sealed:v1:NAME",
    enrolled_on=date(2024, 3, 16),
)
checked_in = ServiceSessionCheckedIn(session_id="s-1", checked_in_at=T0, activity="助老陪伴")


def checked_out(minutes=90, auto_closed=False):
    return ServiceSessionCheckedOut(
        session_id="s-1",
        checked_in_at=T0,
        checked_out_at=T0 + timedelta(minutes=minutes),
        minutes=minutes,
        auto_closed=auto_closed,
        limit_hours=8,
    )


def begin(session_id="s-2", at=T0 + timedelta(hours=2)):
    return BeginSession(STATION, VID, session_id, at, "助老陪伴", NOW, LIMIT)


def end(at, session_id="s-1"):
    return EndSession(STATION, VID, session_id, at, NOW, LIMIT)


def certify(**request):
    return Certify(STATION, VID, NUMBER, date(2024, 3, 22), **request)


def test_enrolment_records_sealed_name_and_phone_and_today_unless_told():
    enroll = Enroll(
        STATION,
        VID,
        category="student",
        name_sealed="sealed:v1:NAME",
        today=date(2024, 3, 16),
        affiliation="兰州财经大学社会工作协会",
        skills=("入户陪伴",),
    )
    given().when(enroll).then(enrolled)
    given(enrolled).when(enroll).raises(VolunteerAlreadyEnrolled)


def test_commands_name_a_volunteer_enrolled_at_the_station():
    given().when(begin()).raises(VolunteerNotFound)
    other = scenario(VOLUNTEER, aggregate_id=VID, station_id="xigu-fulilu")
    elsewhere = enrolled.model_copy(update={"station_id": "xigu-fulilu"})
    other(elsewhere).when(begin()).raises(VolunteerNotFound)


def test_a_training_is_recorded_once():
    attend = AttendTraining(STATION, VID, "t-1", "共学坊", date(2024, 3, 16))
    attended = TrainingAttended(training_id="t-1", title="共学坊", attended_on=date(2024, 3, 16))
    given(enrolled).when(attend).then(attended)
    given(enrolled, attended).when(attend).raises(TrainingAlreadyRecorded)


def test_a_session_checks_in_and_out_in_whole_minutes():
    given(enrolled).when(begin("s-1", T0)).then(checked_in)
    at = T0 + timedelta(minutes=90, seconds=59)
    given(enrolled, checked_in).when(end(at)).then(
        checked_out(90).model_copy(update={"checked_out_at": at})
    )


def test_one_session_open_at_a_time_and_sessions_do_not_overlap():
    given(enrolled, checked_in).when(begin()).raises(SessionAlreadyOpen)
    given(enrolled, checked_in, checked_out(180)).when(begin()).raises(SessionsOverlap)


def test_a_forgotten_session_is_closed_at_the_limit_before_the_next_check_in():
    later = T0 + timedelta(hours=9)
    given(enrolled, checked_in).when(begin("s-2", later)).then(
        checked_out(480, auto_closed=True),
        ServiceSessionCheckedIn(session_id="s-2", checked_in_at=later, activity="助老陪伴"),
    )


def test_check_outs_are_refused_when_they_cannot_be():
    given(enrolled).when(end(T0)).raises(SessionNotFound)
    given(enrolled, checked_in, checked_out()).when(end(T0 + LIMIT)).raises(SessionAlreadyClosed)
    given(enrolled, checked_in).when(end(T0 - timedelta(minutes=1))).raises(CheckOutBeforeCheckIn)
    given(enrolled, checked_in).when(end(NOW + timedelta(hours=1))).raises(TimeInFuture)


def test_the_sweeper_closes_an_open_session_only_past_the_limit():
    early = CloseExpiredSession(STATION, VID, T0 + LIMIT - timedelta(seconds=1), LIMIT)
    given(enrolled, checked_in).when(early).then()
    given(enrolled, checked_in).when(CloseExpiredSession(STATION, VID, T0 + LIMIT, LIMIT)).then(
        checked_out(480, auto_closed=True)
    )


def test_a_certificate_covers_the_closed_hours_once():
    issued = CertificateIssued(
        certificate_number=NUMBER,
        affiliation="兰州财经大学社会工作协会",
        session_ids=["s-1"],
        sessions=1,
        minutes=90,
        hours=1.5,
        auto_closed_sessions=0,
        period_from=date(2024, 3, 16),
        period_to=date(2024, 3, 16),
        issued_on=date(2024, 3, 22),
    )
    state = given(enrolled, checked_in, checked_out()).when(certify()).then(issued)
    assert state.sessions["s-1"].certified and state.certificates == (NUMBER,)
    given(enrolled, checked_in, checked_out(), issued).when(certify()).raises(NothingToCertify)


def test_auto_closed_sessions_are_certified_only_on_request():
    history = (enrolled, checked_in, checked_out(480, auto_closed=True))
    given(*history).when(certify()).raises(NothingToCertify)
    [issued] = given(*history).when(certify(include_auto_closed=True)).decided()
    assert isinstance(issued, CertificateIssued)
    assert (issued.minutes, issued.auto_closed_sessions) == (480, 1)


def test_a_period_ending_before_it_begins_is_refused():
    period = {"period_from": date(2024, 3, 20), "period_to": date(2024, 3, 1)}
    given(enrolled, checked_in, checked_out()).when(certify(**period)).raises(PeriodReversed)

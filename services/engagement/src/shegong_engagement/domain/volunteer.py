"""The volunteer aggregate: enrolled by a station, trained, checked in and out of service sessions,
certified (`certificate`); erasure (PIPL) is decided beside the routes that ask for it.

A session left open longer than the limit is closed at the limit and flagged `auto_closed`,
whether the sweeper finds it, a late check-out arrives, or the next check-in comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shegong_events import DomainEvent, Envelope
from shegong_events.engagement import (
    CertificateIssued,
    ServiceSessionCheckedIn,
    ServiceSessionCheckedOut,
    TrainingAttended,
    VolunteerCategory,
    VolunteerEnrolled,
)
from shegong_runtime.decider import Decider

from shegong_engagement.domain import facts
from shegong_engagement.domain.certificate import Certify, issue_certificate
from shegong_engagement.domain.errors import (
    CheckOutBeforeCheckIn,
    SessionAlreadyClosed,
    SessionAlreadyOpen,
    SessionAlreadyRecorded,
    SessionNotFound,
    SessionsOverlap,
    TimeInFuture,
    TrainingAlreadyRecorded,
    VolunteerAlreadyEnrolled,
    VolunteerNotFound,
)

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Session:
    checked_in_at: datetime
    checked_out_at: datetime | None = None
    minutes: int = 0
    auto_closed: bool = False
    certified: bool = False


@dataclass(frozen=True)
class Volunteer:
    enrolled: bool = False
    station_id: str = ""
    affiliation: str | None = None
    trainings: frozenset[str] = frozenset()
    sessions: dict[str, Session] = field(default_factory=dict)
    open_session: str | None = None
    certificates: tuple[str, ...] = ()

    def last_checked_out(self) -> datetime | None:
        ends = [s.checked_out_at for s in self.sessions.values() if s.checked_out_at]
        return max(ends, default=None)


@dataclass(frozen=True)
class Enroll:
    station_id: str
    volunteer_id: str
    category: VolunteerCategory
    name_sealed: str
    today: date
    phone_sealed: str | None = None
    affiliation: str | None = None
    skills: tuple[str, ...] = ()
    enrolled_on: date | None = None


@dataclass(frozen=True)
class AttendTraining:
    station_id: str
    volunteer_id: str
    training_id: str
    title: str
    attended_on: date
    minutes: int | None = None
    meeting_id: str | None = None


@dataclass(frozen=True)
class BeginSession:
    """`now` bounds the check-in time (no future); `limit` closes a forgotten session first."""

    station_id: str
    volunteer_id: str
    session_id: str
    checked_in_at: datetime
    activity: str
    now: datetime
    limit: timedelta
    meeting_id: str | None = None


@dataclass(frozen=True)
class EndSession:
    station_id: str
    volunteer_id: str
    session_id: str
    checked_out_at: datetime
    now: datetime
    limit: timedelta


@dataclass(frozen=True)
class CloseExpiredSession:
    """The sweeper's command: close the open session at the limit if it has passed it."""

    station_id: str
    volunteer_id: str
    now: datetime
    limit: timedelta


VolunteerCommand = (
    Enroll | AttendTraining | BeginSession | EndSession | CloseExpiredSession | Certify
)


def require_volunteer(state: Volunteer, station_id: str, volunteer_id: str) -> None:
    if not state.enrolled or state.station_id != station_id:
        raise VolunteerNotFound(f"社工站 {station_id} 没有志愿者 {volunteer_id}")


ADDRESS = ("station_id", "volunteer_id")


def enroll(state: Volunteer, cmd: Enroll) -> list[DomainEvent]:
    if state.enrolled:
        raise VolunteerAlreadyEnrolled(f"志愿者 {cmd.volunteer_id} 已登记", field="volunteer_id")
    data = facts(cmd, *ADDRESS, "today", "enrolled_on")
    return [VolunteerEnrolled(**data, enrolled_on=cmd.enrolled_on or cmd.today)]


def attend_training(state: Volunteer, cmd: AttendTraining) -> list[DomainEvent]:
    if cmd.training_id in state.trainings:
        raise TrainingAlreadyRecorded(f"培训 {cmd.training_id} 已记录", field="training_id")
    return [TrainingAttended(**facts(cmd, *ADDRESS))]


def close_at_limit(session_id: str, session: Session, limit: timedelta) -> ServiceSessionCheckedOut:
    return ServiceSessionCheckedOut(
        session_id=session_id,
        checked_in_at=session.checked_in_at,
        checked_out_at=session.checked_in_at + limit,
        minutes=int(limit.total_seconds() // 60),
        auto_closed=True,
        limit_hours=limit.total_seconds() / 3600,
    )


def check_in(state: Volunteer, cmd: BeginSession) -> list[DomainEvent]:
    session_id, now, limit = cmd.session_id, cmd.now, cmd.limit
    if session_id in state.sessions:
        raise SessionAlreadyRecorded(f"服务时段 {session_id} 已签到", field="session_id")
    if cmd.checked_in_at > now + CLOCK_SKEW:
        raise TimeInFuture("签到时间晚于当前时间", field="checked_in_at")
    events: list[DomainEvent] = []
    if state.open_session is not None:
        open_ = state.sessions[state.open_session]
        if cmd.checked_in_at < open_.checked_in_at + limit:
            raise SessionAlreadyOpen(
                f"服务时段 {state.open_session} 尚未签退", field="checked_in_at"
            )
        events.append(close_at_limit(state.open_session, open_, limit))
    last = state.last_checked_out()
    if last is not None and cmd.checked_in_at < last:
        raise SessionsOverlap(f"上一服务时段于 {last.isoformat()} 才结束", field="checked_in_at")
    events.append(ServiceSessionCheckedIn(**facts(cmd, *ADDRESS, "now", "limit")))
    return events


def check_out(state: Volunteer, cmd: EndSession) -> list[DomainEvent]:
    session_id, now, limit = cmd.session_id, cmd.now, cmd.limit
    session = state.sessions.get(session_id)
    if session is None:
        raise SessionNotFound(f"该志愿者没有服务时段 {session_id}")
    if session.checked_out_at is not None:
        raise SessionAlreadyClosed(
            f"服务时段 {session_id} 已于 {session.checked_out_at.isoformat()} 签退"
        )
    if cmd.checked_out_at < session.checked_in_at:
        raise CheckOutBeforeCheckIn("签退时间早于签到时间", field="checked_out_at")
    if cmd.checked_out_at > now + CLOCK_SKEW:
        raise TimeInFuture("签退时间晚于当前时间", field="checked_out_at")
    if cmd.checked_out_at - session.checked_in_at > limit:
        return [close_at_limit(session_id, session, limit)]
    minutes = int((cmd.checked_out_at - session.checked_in_at).total_seconds() // 60)
    return [
        ServiceSessionCheckedOut(
            session_id=session_id,
            checked_in_at=session.checked_in_at,
            checked_out_at=cmd.checked_out_at,
            minutes=minutes,
            auto_closed=False,
            limit_hours=limit.total_seconds() / 3600,
        )
    ]


def close_expired(state: Volunteer, now: datetime, limit: timedelta) -> list[DomainEvent]:
    """The sweeper's decision: nothing unless the open session has passed the limit."""
    if state.open_session is None:
        return []
    session = state.sessions[state.open_session]
    if now < session.checked_in_at + limit:
        return []
    return [close_at_limit(state.open_session, session, limit)]


def evolve_volunteer(state: Volunteer, event: DomainEvent, envelope: Envelope) -> Volunteer:
    if isinstance(event, VolunteerEnrolled):
        return replace(
            state, enrolled=True, station_id=envelope.station_id, affiliation=event.affiliation
        )
    if isinstance(event, TrainingAttended):
        return replace(state, trainings=state.trainings | {event.training_id})
    if isinstance(event, ServiceSessionCheckedIn):
        sessions = {**state.sessions, event.session_id: Session(event.checked_in_at)}
        return replace(state, sessions=sessions, open_session=event.session_id)
    if isinstance(event, ServiceSessionCheckedOut):
        closed = replace(
            state.sessions[event.session_id],
            checked_out_at=event.checked_out_at,
            minutes=event.minutes,
            auto_closed=event.auto_closed,
        )
        return replace(
            state, sessions={**state.sessions, event.session_id: closed}, open_session=None
        )
    if isinstance(event, CertificateIssued):
        sessions = dict(state.sessions)
        for sid in event.session_ids:
            sessions[sid] = replace(sessions[sid], certified=True)
        return replace(
            state, sessions=sessions, certificates=(*state.certificates, event.certificate_number)
        )
    return state


class VolunteerDecider(Decider[VolunteerCommand, Volunteer]):
    aggregate_type = "volunteer"

    def initial(self) -> Volunteer:
        return Volunteer()

    def evolve(self, state: Volunteer, event: DomainEvent, envelope: Envelope) -> Volunteer:
        return evolve_volunteer(state, event, envelope)

    def decide(self, command: VolunteerCommand, state: Volunteer) -> Sequence[DomainEvent]:
        match command:
            case Enroll():
                return enroll(state, command)
            case CloseExpiredSession(now=now, limit=limit):
                return close_expired(state, now, limit)
        require_volunteer(state, command.station_id, command.volunteer_id)
        match command:
            case AttendTraining():
                return attend_training(state, command)
            case BeginSession():
                return check_in(state, command)
            case EndSession():
                return check_out(state, command)
            case Certify():
                return issue_certificate(state, command)
        raise TypeError(f"not a volunteer command: {command!r}")


VOLUNTEER = VolunteerDecider()

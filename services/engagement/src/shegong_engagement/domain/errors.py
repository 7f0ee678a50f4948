"""Domain errors, each named for the rule it guards; the HTTP layer maps their bases to 404/409/422."""

from __future__ import annotations

from shegong_runtime.errors import Conflict, DomainError, NotFound

# --- meeting --------------------------------------------------------------------------------


class MeetingNotFound(NotFound):
    """No meeting with this id at this station."""


class MeetingAlreadyScheduled(Conflict):
    """A meeting id is scheduled once."""


class MeetingAlreadyHeld(Conflict):
    """A held meeting cannot be held again or cancelled."""


class MeetingWasCancelled(Conflict):
    """A cancelled meeting takes no further records."""


class ParticipantsByRoleExceedTotal(DomainError):
    """The counts by role add up to more than the participants in total."""


class MembersPresentExceedTotal(DomainError):
    """More members present than the body has members."""


# --- deliberation ---------------------------------------------------------------------------


class IssueAlreadyProposed(Conflict):
    """An issue id is proposed once per meeting."""


class MeetingNotHeld(Conflict):
    """Motions are voted only at a meeting that was held."""


class MotionAlreadyVoted(Conflict):
    """A motion id is voted once per meeting."""


class MembersTotalUnknown(DomainError):
    """A quorum needs the number of members; the meeting does not record it."""


class VotesExceedMembersPresent(DomainError):
    """More votes than members present."""


class UnknownIssue(DomainError):
    """The issue named is not one proposed at this meeting."""


class UnknownMotion(DomainError):
    """The motion named was not voted at this meeting."""


class MotionNotPassed(Conflict):
    """Only a passed motion becomes a resolution."""


class MotionAlreadyResolved(Conflict):
    """A motion becomes one resolution."""


class ResolutionAlreadyAdopted(Conflict):
    """A resolution id is adopted once per meeting."""


class UnknownResolution(DomainError):
    """The resolution named was not adopted at this meeting."""


class ActionItemAlreadyAssigned(Conflict):
    """An action item id is assigned once per meeting."""


class IssueNotFound(NotFound):
    """No issue with this id at this meeting."""


class ActionItemNotFound(NotFound):
    """No action item with this id at this meeting."""


class ActionItemAlreadyDone(Conflict):
    """An action item is reported done once."""


class DateBeforeAssignment(DomainError):
    """An action item cannot be due, or done, before it was assigned."""


# --- volunteer ------------------------------------------------------------------------------


class VolunteerNotFound(NotFound):
    """No volunteer with this id at this station."""


class VolunteerAlreadyEnrolled(Conflict):
    """A volunteer id is enrolled once."""


class TrainingAlreadyRecorded(Conflict):
    """A training id is recorded once per volunteer."""


class SessionAlreadyRecorded(Conflict):
    """A session id is checked in once."""


class SessionAlreadyOpen(Conflict):
    """A volunteer has one open session at a time: check out first."""


class SessionsOverlap(DomainError):
    """A session cannot start before the previous one ended."""


class TimeInFuture(DomainError):
    """Check-in and check-out times cannot lie in the future."""


class SessionNotFound(NotFound):
    """No session with this id for this volunteer."""


class SessionAlreadyClosed(Conflict):
    """A session is checked out once."""


class CheckOutBeforeCheckIn(DomainError):
    """A session cannot end before it began."""


# --- certificate ----------------------------------------------------------------------------


class NothingToCertify(Conflict):
    """No closed, uncertified service session in the period: hours are certified once."""


class CertificateNumberMalformed(DomainError):
    """Not a certificate number: wrong shape or check character."""


class PeriodReversed(DomainError):
    """The period ends before it begins."""


class CertificateNotFound(NotFound):
    """No certificate carries this number."""

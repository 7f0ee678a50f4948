"""Deliberation at a meeting (居民议事): issues, motions voted under a quorum rule, resolutions.

Part of the meeting aggregate (its events ride the meeting's stream); `meeting.MEETING`
decides these commands after checking the meeting exists at the station.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from math import ceil, floor
from typing import TYPE_CHECKING, Literal

from shegong_events import DomainEvent
from shegong_events.engagement import (
    IssueProposed,
    MotionVoted,
    ParticipantRole,
    QuorumRule,
    ResolutionAdopted,
)

from shegong_engagement.domain import facts
from shegong_engagement.domain.errors import (
    IssueAlreadyProposed,
    MeetingNotHeld,
    MembersPresentExceedTotal,
    MembersTotalUnknown,
    MotionAlreadyResolved,
    MotionAlreadyVoted,
    MotionNotPassed,
    ResolutionAlreadyAdopted,
    UnknownIssue,
    UnknownMotion,
    VotesExceedMembersPresent,
)

if TYPE_CHECKING:
    from shegong_engagement.domain.meeting import Meeting

RuleSource = Literal["meeting", "station", "settings"]


@dataclass(frozen=True)
class Motion:
    passed: bool
    resolved: bool = False


@dataclass(frozen=True)
class Tally:
    required_present: int
    quorum_met: bool
    required_for: int
    passed: bool


def tally(
    rule: QuorumRule, members_total: int, present: int, votes_for: int, against: int
) -> Tally:
    """Quorum: present >= attendance x members. Passing: for > (or >=) majority x base."""
    required_present = ceil(Fraction(rule.attendance) * members_total)
    base = present if rule.majority_base == "members_present" else votes_for + against
    share = Fraction(rule.majority) * base
    required_for = max(1, ceil(share) if rule.majority_inclusive else floor(share) + 1)
    quorum_met = present >= required_present
    return Tally(
        required_present, quorum_met, required_for, quorum_met and votes_for >= required_for
    )


ADDRESS = ("station_id", "meeting_id")


@dataclass(frozen=True)
class Propose:
    station_id: str
    meeting_id: str
    issue_id: str
    title: str
    proposer_role: ParticipantRole
    today: date
    proposer_name_sealed: str | None = None
    detail: str | None = None
    topic: str | None = None
    proposed_on: date | None = None


@dataclass(frozen=True)
class Vote:
    """`fallback`: the station's rule (or the settings'), used when the meeting has none;
    `members_present` absent: as held."""

    station_id: str
    meeting_id: str
    motion_id: str
    text: str
    votes_for: int
    votes_against: int
    fallback: tuple[QuorumRule, RuleSource]
    abstentions: int = 0
    issue_id: str | None = None
    voted_on: date | None = None
    members_present: int | None = None


@dataclass(frozen=True)
class Adopt:
    station_id: str
    meeting_id: str
    resolution_id: str
    motion_id: str
    text: str
    today: date
    adopted_on: date | None = None


def propose_issue(state: Meeting, cmd: Propose) -> list[DomainEvent]:
    state.require_open()
    if cmd.issue_id in state.issues:
        raise IssueAlreadyProposed(f"议题 {cmd.issue_id} 已提出", field="issue_id")
    data = facts(cmd, *ADDRESS, "today", "proposed_on")
    return [IssueProposed(**data, proposed_on=cmd.proposed_on or cmd.today)]


def vote_motion(
    state: Meeting, cmd: Vote, rule: QuorumRule, source: RuleSource
) -> list[DomainEvent]:
    if state.status != "held":
        raise MeetingNotHeld(f"会议未召开（{state.status}），召开后才能表决")
    if cmd.motion_id in state.motions:
        raise MotionAlreadyVoted(f"动议 {cmd.motion_id} 已表决", field="motion_id")
    if cmd.issue_id is not None and cmd.issue_id not in state.issues:
        raise UnknownIssue(f"本次会议没有议题 {cmd.issue_id}", field="issue_id")
    if state.members_total is None:
        raise MembersTotalUnknown("安排或召开会议时须填写应到人数", field="members_total")
    present = cmd.members_present if cmd.members_present is not None else state.members_present
    if present is None:
        raise MembersTotalUnknown("须填写实到人数才能计算法定人数", field="members_present")
    if present > state.members_total:
        raise MembersPresentExceedTotal(
            f"实到 {present} 人多于应到 {state.members_total} 人", field="members_present"
        )
    if cmd.votes_for + cmd.votes_against + cmd.abstentions > present:
        raise VotesExceedMembersPresent(f"票数多于实到的 {present} 人", field="votes_for")
    result = tally(rule, state.members_total, present, cmd.votes_for, cmd.votes_against)
    assert state.held_on is not None
    return [
        MotionVoted(
            **facts(cmd, *ADDRESS, "fallback", "voted_on", "members_present"),
            voted_on=cmd.voted_on or state.held_on,
            members_total=state.members_total,
            members_present=present,
            quorum_rule=rule,
            rule_source=source,
            required_present=result.required_present,
            quorum_met=result.quorum_met,
            required_for=result.required_for,
            passed=result.passed,
        )
    ]


def adopt_resolution(state: Meeting, cmd: Adopt) -> list[DomainEvent]:
    if cmd.resolution_id in state.resolutions:
        raise ResolutionAlreadyAdopted(f"决议 {cmd.resolution_id} 已通过", field="resolution_id")
    motion = state.motions.get(cmd.motion_id)
    if motion is None:
        raise UnknownMotion(f"本次会议未表决动议 {cmd.motion_id}", field="motion_id")
    if not motion.passed:
        raise MotionNotPassed(f"动议 {cmd.motion_id} 未获通过", field="motion_id")
    if motion.resolved:
        raise MotionAlreadyResolved(f"动议 {cmd.motion_id} 已形成决议", field="motion_id")
    data = facts(cmd, *ADDRESS, "today", "adopted_on")
    return [ResolutionAdopted(**data, adopted_on=cmd.adopted_on or cmd.today)]


def quorum_rule(
    state: Meeting, fallback: tuple[QuorumRule, RuleSource]
) -> tuple[QuorumRule, RuleSource]:
    """The meeting's own rule first, else the station's or the settings' (`fallback`)."""
    return (state.quorum_rule, "meeting") if state.quorum_rule is not None else fallback


def decide(command: Propose | Vote | Adopt, state: Meeting) -> list[DomainEvent]:
    match command:
        case Propose():
            return propose_issue(state, command)
        case Vote(fallback=fallback):
            return vote_motion(state, command, *quorum_rule(state, fallback))
        case Adopt():
            return adopt_resolution(state, command)


def evolve_deliberation(state: Meeting, event: DomainEvent) -> Meeting:
    if isinstance(event, IssueProposed):
        return replace(state, issues=state.issues | {event.issue_id})
    if isinstance(event, MotionVoted):
        return replace(state, motions={**state.motions, event.motion_id: Motion(event.passed)})
    if isinstance(event, ResolutionAdopted):
        motions = {
            **state.motions,
            event.motion_id: replace(state.motions[event.motion_id], resolved=True),
        }
        return replace(
            state, resolutions=state.resolutions | {event.resolution_id}, motions=motions
        )
    return state

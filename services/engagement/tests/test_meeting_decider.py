"""The meeting decider, rule by rule: the history it needs, the command, the events or the rule
that refuses. Deliberation and action items ride on the meeting's stream."""

from datetime import date

from shegong_engagement.domain import action_items as items
from shegong_engagement.domain import deliberation as talk
from shegong_engagement.domain.errors import (
    ActionItemAlreadyDone,
    ActionItemNotFound,
    DateBeforeAssignment,
    MeetingAlreadyHeld,
    MeetingAlreadyScheduled,
    MeetingNotFound,
    MeetingNotHeld,
    MeetingWasCancelled,
    MotionAlreadyResolved,
    MotionNotPassed,
    ParticipantsByRoleExceedTotal,
    UnknownIssue,
    VotesExceedMembersPresent,
)
from shegong_engagement.domain.meeting import MEETING, Cancel, Hold, Schedule
from shegong_events.engagement import (
    ActionItemAssigned,
    ActionItemDone,
    CoOrganiser,
    IssueProposed,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MotionVoted,
    ParticipantGroup,
    QuorumRule,
    ResolutionAdopted,
)
from shegong_testing.decider import scenario

STATION, MID = "xigu-fulilu", "m-1"
given = scenario(MEETING, aggregate_id=MID, station_id=STATION)
DAY, TODAY = date(2024, 3, 19), date(2024, 3, 28)
DONGGANG = CoOrganiser(name="大通路社区", kind="community_committee")
SETTINGS_RULE: tuple[QuorumRule, talk.RuleSource] = (QuorumRule(), "settings")

scheduled = MeetingScheduled(
    station_id=STATION,
    kind="resident_deliberation",
    title="居民议事会",
    scheduled_on=DAY,
    co_organisers=[DONGGANG],
    members_total=15,
)
held = MeetingHeld(
    kind="resident_deliberation",
    title="居民议事会",
    held_on=DAY,
    co_organisers=[DONGGANG],
    members_total=15,
    members_present=12,
)
cancelled = MeetingCancelled(
    kind="resident_deliberation",
    title="居民议事会",
    scheduled_on=DAY,
    cancelled_on=DAY,
    reason="下雨",
)
proposed = IssueProposed(
    issue_id="lift", title="3号楼加装电梯", proposer_role="resident", proposed_on=DAY
)


def vote(motion_id="mo-1", votes_for=8, against=2, **extra):
    return talk.Vote(
        STATION,
        MID,
        motion_id=motion_id,
        text="同意加装电梯",
        votes_for=votes_for,
        votes_against=against,
        fallback=SETTINGS_RULE,
        **extra,
    )


def voted(votes_for=8, against=2, required_for=6, passed=True):
    """The vote as decided: 12 of 15 present (10 needed), more than half of the votes cast."""
    return MotionVoted(
        motion_id="mo-1",
        text="同意加装电梯",
        voted_on=DAY,
        votes_for=votes_for,
        votes_against=against,
        abstentions=0,
        members_total=15,
        members_present=12,
        quorum_rule=QuorumRule(),
        rule_source="settings",
        required_present=10,
        quorum_met=True,
        required_for=required_for,
        passed=passed,
    )


def assign(action_id="a-1", due_on=date(2024, 4, 30), **extra):
    return items.Assign(
        STATION,
        MID,
        action_id=action_id,
        title="联系电梯公司出具报价",
        owner_role="community_secretary",
        assigned_on=DAY,
        due_on=due_on,
        owner_name_sealed="sealed:v1:OWNER",
        today=TODAY,
        **extra,
    )


assigned = ActionItemAssigned(
    action_id="a-1",
    title="联系电梯公司出具报价",
    owner_role="community_secretary",
    owner_name_sealed="sealed:v1:OWNER",
    assigned_on=DAY,
    due_on=date(2024, 4, 30),
)


def done(on):
    return items.Complete(STATION, MID, "a-1", TODAY, done_on=on)


# --- the meeting itself ----------------------------------------------------------------------


def test_scheduling_records_the_meeting_as_announced():
    schedule = Schedule(
        STATION,
        MID,
        kind="resident_deliberation",
        title="居民议事会",
        scheduled_on=DAY,
        co_organisers=(DONGGANG,),
        members_total=15,
    )
    state = given().when(schedule).then(scheduled)
    assert (state.status, state.station_id) == ("scheduled", STATION)


def test_a_meeting_id_is_scheduled_once():
    again = Schedule(STATION, MID, kind="joint_meeting", title="联席会议", scheduled_on=DAY)
    given(scheduled).when(again).raises(MeetingAlreadyScheduled)


def test_holding_carries_over_what_was_scheduled():
    given(scheduled).when(Hold(STATION, MID, held_on=DAY, members_present=12)).then(held)


def test_a_meeting_is_held_once_and_a_held_meeting_cannot_be_cancelled():
    given(scheduled, held).when(Hold(STATION, MID, held_on=DAY)).raises(MeetingAlreadyHeld)
    cancel = Cancel(STATION, MID, "下雨", TODAY)
    given(scheduled, held).when(cancel).raises(MeetingAlreadyHeld)


def test_a_meeting_is_not_found_under_another_station_or_before_it_is_scheduled():
    given(scheduled).when(Hold("xigu-other", MID, held_on=DAY)).raises(MeetingNotFound)
    given().when(vote()).raises(MeetingNotFound)


def test_counts_by_role_may_not_exceed_the_participants():
    hold = Hold(
        STATION,
        MID,
        held_on=DAY,
        participants_total=3,
        participant_groups=(ParticipantGroup(role="resident", count=4),),
    )
    given(scheduled).when(hold).raises(ParticipantsByRoleExceedTotal)


def test_cancelling_dates_the_cancellation_today_unless_told():
    cancel = Cancel(STATION, MID, "下雨", TODAY, cancelled_on=DAY)
    state = given(scheduled).when(cancel).then(cancelled)
    assert state.status == "cancelled"
    untold = Cancel(STATION, MID, "下雨", TODAY)
    given(scheduled).when(untold).then(cancelled.model_copy(update={"cancelled_on": TODAY}))


def test_a_cancelled_meeting_takes_no_further_records():
    propose = talk.Propose(
        STATION, MID, issue_id="lift", title="3号楼加装电梯", proposer_role="resident", today=TODAY
    )
    given(scheduled, cancelled).when(propose).raises(MeetingWasCancelled)
    given(scheduled, cancelled).when(assign()).raises(MeetingWasCancelled)
    given(scheduled, cancelled).when(Hold(STATION, MID, held_on=DAY)).raises(MeetingWasCancelled)


# --- deliberation ----------------------------------------------------------------------------


def test_an_issue_is_proposed_with_the_sealed_name_and_today_unless_told():
    propose = talk.Propose(
        STATION,
        MID,
        issue_id="lift",
        title="3号楼加装电梯",
        proposer_role="resident",
        proposer_name_sealed="sealed:v1:NAME",
        today=DAY,
    )
    given(scheduled).when(propose).then(
        proposed.model_copy(update={"proposer_name_sealed": "sealed:v1:NAME"})
    )


def test_a_motion_passes_with_two_thirds_present_and_a_majority_of_votes_cast():
    state = given(scheduled, held).when(vote()).then(voted())
    assert state.motions["mo-1"].passed
    given(scheduled, held).when(vote(votes_for=3, against=7)).then(
        voted(votes_for=3, against=7, passed=False)
    )


def test_the_meetings_own_rule_comes_before_the_stations():
    own = QuorumRule(attendance="1/2")
    with_rule = scheduled.model_copy(update={"quorum_rule": own})
    [event] = given(with_rule, held).when(vote()).decided()
    assert isinstance(event, MotionVoted)
    assert (event.quorum_rule, event.rule_source, event.required_present) == (own, "meeting", 8)


def test_motions_need_a_held_meeting_known_issues_and_no_more_votes_than_present():
    given(scheduled).when(vote()).raises(MeetingNotHeld)
    given(scheduled, held).when(vote(issue_id="nope")).raises(UnknownIssue)
    given(scheduled, held).when(vote(votes_for=10, against=3)).raises(VotesExceedMembersPresent)


def test_only_a_passed_motion_becomes_a_resolution_once():
    adopt = talk.Adopt(
        STATION, MID, resolution_id="r-1", motion_id="mo-1", text="同意加装电梯", today=TODAY
    )
    failed = voted(votes_for=3, against=7, passed=False)
    given(scheduled, held, failed).when(adopt).raises(MotionNotPassed)
    adopted = ResolutionAdopted(
        resolution_id="r-1", motion_id="mo-1", text="同意加装电梯", adopted_on=TODAY
    )
    state = given(scheduled, held, voted()).when(adopt).then(adopted)
    assert state.resolutions == {"r-1"} and state.motions["mo-1"].resolved
    again = talk.Adopt(
        STATION, MID, resolution_id="r-2", motion_id="mo-1", text="同意加装电梯", today=TODAY
    )
    given(scheduled, held, voted(), adopted).when(again).raises(MotionAlreadyResolved)


# --- action items ----------------------------------------------------------------------------


def test_an_action_item_is_assigned_with_the_owners_sealed_name():
    given(scheduled).when(assign()).then(assigned)


def test_an_action_item_is_never_due_before_it_was_assigned():
    given(scheduled).when(assign(due_on=date(2024, 3, 1))).raises(DateBeforeAssignment)


def test_an_action_item_is_done_once_late_when_past_due_and_never_before_assigned():
    late = ActionItemDone(
        action_id="a-1",
        title="联系电梯公司出具报价",
        due_on=date(2024, 4, 30),
        done_on=date(2024, 5, 2),
        late=True,
    )
    given(scheduled, assigned).when(done(date(2024, 5, 2))).then(late)
    given(scheduled, assigned, late).when(done(date(2024, 5, 3))).raises(ActionItemAlreadyDone)
    given(scheduled, assigned).when(done(date(2024, 3, 1))).raises(DateBeforeAssignment)
    given(scheduled).when(done(DAY)).raises(ActionItemNotFound)

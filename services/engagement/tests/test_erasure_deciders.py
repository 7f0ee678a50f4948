"""The erasure deciders, rule by rule: a volunteer's name and phone, and a name recorded at a
meeting (an issue's proposer, an action item's owner), erased only where they exist."""

from datetime import UTC, date, datetime

from shegong_engagement.domain.erasure import (
    MEETING_NAME_ERASURE,
    VOLUNTEER_ERASURE,
    EraseMeetingName,
    EraseVolunteer,
)
from shegong_engagement.domain.errors import (
    ActionItemNotFound,
    IssueNotFound,
    MeetingNotFound,
    VolunteerNotFound,
)
from shegong_events.engagement import (
    ActionItemAssigned,
    IssueProposed,
    MeetingNameErased,
    MeetingScheduled,
    VolunteerEnrolled,
    VolunteerErased,
)
from shegong_testing.decider import scenario

STATION, OTHER, VID, MID = "chengguan-tieluxicun", "xigu-fulilu", "v-1", "m-1"
AT = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)
DAY = date(2024, 3, 19)
volunteer = scenario(VOLUNTEER_ERASURE, aggregate_id=VID, station_id=STATION)
meeting = scenario(MEETING_NAME_ERASURE, aggregate_id=MID, station_id=STATION)

enrolled = VolunteerEnrolled(
    category="student",
    affiliation="兰州财经大学社会工作协会",
    skills=["入户陪伴"],
    name_sealed="sealed:v1:NAME",
    enrolled_on=DAY,
)
scheduled = MeetingScheduled(
    kind="resident_deliberation", title="居民议事会", scheduled_on=DAY, members_total=15
)
proposed = IssueProposed(
    issue_id="lift",
    title="3号楼加装电梯",
    proposer_role="resident",
    proposer_name_sealed="sealed:v1:PROPOSER",
    proposed_on=DAY,
)
assigned = ActionItemAssigned(
    action_id="a-1",
    title="联系电梯公司出具报价",
    owner_role="community_secretary",
    owner_name_sealed="sealed:v1:OWNER",
    assigned_on=DAY,
    due_on=date(2024, 4, 30),
)


def erase_volunteer(station_id=STATION):
    return EraseVolunteer(
        station_id=station_id, volunteer_id=VID, reason="subject_request", erased_at=AT
    )


def erase_name(station_id=STATION, **named):
    return EraseMeetingName(
        station_id=station_id,
        meeting_id=MID,
        reason="subject_request",
        erased_at=AT,
        **named,
    )


def test_an_enrolled_volunteer_is_erased_with_the_reason_and_time():
    volunteer(enrolled).when(erase_volunteer()).then(
        VolunteerErased(reason="subject_request", erased_at=AT)
    )


def test_a_volunteer_never_enrolled_cannot_be_erased():
    volunteer().when(erase_volunteer()).raises(VolunteerNotFound)


def test_a_volunteer_of_another_station_cannot_be_erased_from_this_one():
    volunteer(enrolled).when(erase_volunteer(OTHER)).raises(VolunteerNotFound)


def test_an_issues_proposer_is_erased_and_the_issue_named():
    meeting(scheduled, proposed).when(erase_name(issue_id="lift")).then(
        MeetingNameErased(issue_id="lift", reason="subject_request", erased_at=AT)
    )


def test_an_action_items_owner_is_erased_and_the_item_named():
    meeting(scheduled, assigned).when(erase_name(action_id="a-1")).then(
        MeetingNameErased(action_id="a-1", reason="subject_request", erased_at=AT)
    )


def test_a_name_at_a_meeting_that_does_not_exist_cannot_be_erased():
    meeting().when(erase_name(issue_id="lift")).raises(MeetingNotFound)


def test_a_name_at_another_stations_meeting_cannot_be_erased_from_this_one():
    meeting(scheduled, proposed).when(erase_name(OTHER, issue_id="lift")).raises(MeetingNotFound)


def test_the_proposer_of_an_issue_never_proposed_cannot_be_erased():
    meeting(scheduled).when(erase_name(issue_id="lift")).raises(IssueNotFound)


def test_the_owner_of_an_action_item_never_assigned_cannot_be_erased():
    meeting(scheduled, proposed).when(erase_name(action_id="a-1")).raises(ActionItemNotFound)

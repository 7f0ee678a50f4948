"""EngagementViews, event by event: meetings with their issues, motions, resolutions and action
items; volunteers with their trainings, sessions, certificates and running totals; redelivery
changes nothing; erased names leave the read model."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from shegong_engagement.projections import EngagementViews
from shegong_events.engagement import (
    ActionItemAssigned,
    ActionItemDone,
    CertificateIssued,
    IssueProposed,
    MeetingCancelled,
    MeetingHeld,
    MeetingNameErased,
    MeetingScheduled,
    MotionVoted,
    QuorumRule,
    ResolutionAdopted,
    ServiceSessionCheckedIn,
    ServiceSessionCheckedOut,
    TrainingAttended,
    VolunteerEnrolled,
    VolunteerErased,
)
from shegong_testing.projection_spec import ProjectionSpec, Stream

SEALED = "sealed:v1:AAAA"
MARCH_19 = date(2024, 3, 19)
IN_AT = datetime(2024, 3, 16, 1, 0, tzinfo=UTC)
OUT_AT = datetime(2024, 3, 16, 2, 30, tzinfo=UTC)
NUMBER = "ZY-2024-7KQ3M-9TXWA-Y"

SCHEDULED = MeetingScheduled(kind="resident_deliberation", title="议事会", scheduled_on=MARCH_19)
HELD = MeetingHeld(
    kind="resident_deliberation", title="议事会", held_on=MARCH_19, participants_total=20
)
ISSUE = IssueProposed(
    issue_id="i-1",
    title="楼道照明",
    proposer_role="resident",
    proposer_name_sealed=SEALED,
    proposed_on=MARCH_19,
)
MOTION = MotionVoted(
    motion_id="mo-1",
    text="更换楼道灯",
    issue_id="i-1",
    voted_on=MARCH_19,
    votes_for=15,
    votes_against=2,
    abstentions=1,
    members_total=20,
    members_present=18,
    quorum_rule=QuorumRule(),
    rule_source="settings",
    required_present=14,
    quorum_met=True,
    required_for=10,
    passed=True,
)
RESOLUTION = ResolutionAdopted(
    resolution_id="r-1", motion_id="mo-1", text="三月底前更换", adopted_on=MARCH_19
)
ACTION = ActionItemAssigned(
    action_id="a-1",
    title="联系物业更换灯泡",
    resolution_id="r-1",
    owner_role="building_head",
    owner_name_sealed=SEALED,
    assigned_on=MARCH_19,
    due_on=date(2024, 3, 31),
)
ENROLLED = VolunteerEnrolled(
    category="student",
    affiliation="兰州财经大学社会工作协会",
    name_sealed=SEALED,
    phone_sealed=SEALED,
    enrolled_on=date(2024, 3, 1),
)
CHECKED_IN = ServiceSessionCheckedIn(session_id="s-1", checked_in_at=IN_AT, activity="陪伴老人")
CHECKED_OUT = ServiceSessionCheckedOut(
    session_id="s-1",
    checked_in_at=IN_AT,
    checked_out_at=OUT_AT,
    minutes=90,
    auto_closed=False,
    limit_hours=8,
)
TOTALS = (
    "SELECT trainings, training_minutes, sessions, minutes, auto_closed_sessions, "
    "auto_closed_minutes, certified_minutes, certificates, open_session_id FROM {s}.volunteers"
)


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, EngagementViews()) as opened:
        yield opened


@pytest.fixture
def meeting() -> Stream:
    return Stream("m-1", "xigu-fulilu")


@pytest.fixture
def volunteer() -> Stream:
    return Stream("v-1", "xigu-fulilu")


async def test_a_scheduled_meeting_is_held_with_its_participants(
    spec: ProjectionSpec, meeting: Stream
) -> None:
    query = "SELECT station_id, status, scheduled_on, held_on, participants_total FROM {s}.meetings"
    await spec.given(meeting(SCHEDULED))
    await spec.then(query, ("xigu-fulilu", "scheduled", MARCH_19, None, None))
    await spec.given(meeting(HELD))
    await spec.then(query, ("xigu-fulilu", "held", MARCH_19, MARCH_19, 20))


async def test_a_cancelled_meeting_keeps_its_reason(spec: ProjectionSpec, meeting: Stream) -> None:
    cancelled = MeetingCancelled(
        kind="resident_deliberation",
        title="议事会",
        scheduled_on=MARCH_19,
        cancelled_on=date(2024, 3, 18),
        reason="场地冲突",
    )
    await spec.given(meeting(SCHEDULED), meeting(cancelled))
    await spec.then(
        "SELECT status, cancelled_on, cancel_reason FROM {s}.meetings",
        ("cancelled", date(2024, 3, 18), "场地冲突"),
    )


async def test_deliberation_lands_an_issue_a_motion_a_resolution_and_an_action_item(
    spec: ProjectionSpec, meeting: Stream
) -> None:
    done = ActionItemDone(
        action_id="a-1",
        title=ACTION.title,
        due_on=ACTION.due_on,
        done_on=date(2024, 4, 2),
        late=True,
        note="物业延期",
    )
    await spec.given(meeting(SCHEDULED), meeting(HELD), meeting(ISSUE), meeting(MOTION))
    await spec.given(meeting(RESOLUTION))
    await spec.given(meeting(ACTION))
    await spec.then("SELECT issue_id, proposer_role FROM {s}.issues", ("i-1", "resident"))
    await spec.then(
        "SELECT motion_id, passed, quorum_met, quorum_rule->>'attendance' FROM {s}.motions",
        ("mo-1", True, True, "2/3"),
    )
    await spec.then("SELECT resolution_id, motion_id FROM {s}.resolutions", ("r-1", "mo-1"))
    await spec.then(
        "SELECT action_id, due_on, done_on FROM {s}.action_items", ("a-1", ACTION.due_on, None)
    )
    await spec.given(meeting(done))
    await spec.then(
        "SELECT done_on, late, note FROM {s}.action_items", (date(2024, 4, 2), True, "物业延期")
    )


async def test_an_erased_name_leaves_the_issue_and_the_action_item(
    spec: ProjectionSpec, meeting: Stream
) -> None:
    at = datetime(2024, 4, 1, tzinfo=UTC)
    await spec.given(meeting(SCHEDULED), meeting(HELD), meeting(ISSUE), meeting(ACTION))
    await spec.given(
        meeting(MeetingNameErased(issue_id="i-1", reason="subject_request", erased_at=at))
    )
    await spec.given(
        meeting(MeetingNameErased(action_id="a-1", reason="subject_request", erased_at=at))
    )
    await spec.then("SELECT proposer_name_sealed FROM {s}.issues", (None,))
    await spec.then("SELECT owner_name_sealed FROM {s}.action_items", (None,))


async def test_a_redelivered_meeting_event_is_applied_once(
    spec: ProjectionSpec, meeting: Stream
) -> None:
    scheduled, issue = meeting(SCHEDULED), meeting(ISSUE)
    await spec.given(scheduled, issue)
    await spec.given(issue)  # an insert that would fail on its key if applied twice
    await spec.then("SELECT count(*) FROM {s}.issues", (1,))


async def test_an_enrolled_volunteer_starts_at_zero_and_erasure_drops_name_and_phone(
    spec: ProjectionSpec, volunteer: Stream
) -> None:
    await spec.given(volunteer(ENROLLED))
    await spec.then(
        "SELECT station_id, category, name_sealed, phone_sealed FROM {s}.volunteers",
        ("xigu-fulilu", "student", SEALED, SEALED),
    )
    await spec.then(TOTALS, (0, 0, 0, 0, 0, 0, 0, 0, None))
    erased = VolunteerErased(reason="subject_request", erased_at=datetime(2024, 4, 1, tzinfo=UTC))
    await spec.given(volunteer(erased))
    await spec.then("SELECT name_sealed, phone_sealed FROM {s}.volunteers", ("", None))


async def test_trainings_sessions_and_certificates_add_up_on_the_volunteer(
    spec: ProjectionSpec, volunteer: Stream
) -> None:
    trained = TrainingAttended(
        training_id="t-1", title="共学坊", attended_on=date(2024, 3, 9), minutes=120
    )
    await spec.given(volunteer(ENROLLED), volunteer(trained), volunteer(CHECKED_IN))
    await spec.then(TOTALS, (1, 120, 0, 0, 0, 0, 0, 0, "s-1"))
    await spec.given(volunteer(CHECKED_OUT))
    await spec.then(TOTALS, (1, 120, 1, 90, 0, 0, 0, 0, None))
    await spec.then("SELECT minutes, auto_closed FROM {s}.sessions", (90, False))
    certified = CertificateIssued(
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
    await spec.given(volunteer(certified))
    await spec.then(TOTALS, (1, 120, 1, 90, 0, 0, 90, 1, None))
    await spec.then("SELECT certificate_number FROM {s}.sessions", (NUMBER,))


async def test_a_session_closed_at_the_limit_counts_as_auto_closed(
    spec: ProjectionSpec, volunteer: Stream
) -> None:
    auto = CHECKED_OUT.model_copy(update={"minutes": 480, "auto_closed": True})
    await spec.given(volunteer(ENROLLED), volunteer(CHECKED_IN), volunteer(auto))
    await spec.then(TOTALS, (0, 0, 1, 480, 1, 480, 0, 0, None))


async def test_a_redelivered_check_out_is_counted_once(
    spec: ProjectionSpec, volunteer: Stream
) -> None:
    enrolled, checked_in, checked_out = (
        volunteer(ENROLLED),
        volunteer(CHECKED_IN),
        volunteer(CHECKED_OUT),
    )
    await spec.given(enrolled, checked_in, checked_out)
    await spec.given(checked_out)
    await spec.given(enrolled, checked_in, checked_out)
    await spec.then(TOTALS, (0, 0, 1, 90, 0, 0, 0, 0, None))

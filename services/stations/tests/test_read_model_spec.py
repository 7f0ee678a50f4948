"""StationBoard, event by event, for each of its three streams: stations, organisations and
evaluations (registry); households, visits and needs (visits); meetings with their counts,
action items, volunteers and the minutes per day (engagement). A redelivery counts nothing
twice; an erased household leaves no community and no open need behind."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from shegong_events import engagement as eng
from shegong_events import registry as reg
from shegong_events import visits as vis
from shegong_stations.projections import StationBoard
from shegong_testing.projection_spec import ProjectionSpec, Stream

SID = "xigu-fulilu"
SEALED = "sealed:v1:AAAA"
MARCH_19 = date(2024, 3, 19)
LATE_EVENING = datetime(2024, 3, 18, 17, 0, tzinfo=UTC)  # 01:00 on the 19th at the stations
NOON = datetime(2024, 3, 19, 4, 0, tzinfo=UTC)
DUE = datetime(2024, 4, 19, 4, 0, tzinfo=UTC)


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, StationBoard()) as opened:
        yield opened


# registry


OPENED = reg.StationOpened(
    station_id=SID,
    name="西固区福利路街道社工站",
    city="兰州市",
    district_id="xigu",
    district_name="西固区",
    street="福利路街道",
    kind="street",
    lead_sealed=SEALED,
)
FILED = reg.OrgFiled(
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed=SEALED,
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练",
)
APPROVED = reg.OrgFilingApproved(
    filing_number="xigu-fulilu-2024-0001", name=FILED.name, category="culture_sports"
)
ORG = "SELECT status, returns, filed_on, decided_on, approved_on, members, volunteers FROM {s}.organisations"


async def test_an_opened_station_is_on_the_board_and_an_update_renames_it(
    spec: ProjectionSpec,
) -> None:
    station = Stream(SID, SID)
    await spec.given(station(OPENED))
    await spec.then(
        "SELECT station_id, name, district_id, district_name, kind FROM {s}.stations",
        (SID, "西固区福利路街道社工站", "xigu", "西固区", "street"),
    )
    await spec.given(station(reg.StationUpdated(name="福利路街道社工站")))
    await spec.then("SELECT name FROM {s}.stations", ("福利路街道社工站",))


async def test_a_filing_is_decided_on_its_first_return_and_counts_its_returns(
    spec: ProjectionSpec,
) -> None:
    org = Stream("org-1", SID)
    await spec.given(org(FILED, LATE_EVENING))
    await spec.then(ORG, ("pending", 0, MARCH_19, None, None, 20, None))
    returned = reg.OrgFilingReturned(reasons=["章程摘要不完整"])
    await spec.given(org(returned, NOON))
    await spec.given(org(reg.OrgFilingResubmitted(members=22), NOON))
    await spec.then(ORG, ("pending", 1, MARCH_19, MARCH_19, None, 22, None))
    await spec.given(org(APPROVED, DUE))
    await spec.then(ORG, ("approved", 1, MARCH_19, MARCH_19, date(2024, 4, 19), 22, None))


async def test_an_approved_organisation_changes_becomes_a_team_and_is_deregistered(
    spec: ProjectionSpec,
) -> None:
    org = Stream("org-1", SID)
    await spec.given(org(FILED, NOON), org(APPROVED, NOON), org(reg.OrgChanged(members=35)))
    await spec.then(ORG, ("approved", 0, MARCH_19, MARCH_19, MARCH_19, 35, None))
    converted = reg.OrgConvertedToVolunteerTeam(
        team_name="银龄志愿服务队", volunteers=12, service_focus="助老陪伴"
    )
    await spec.given(org(converted))
    await spec.then(
        "SELECT status, name, volunteers FROM {s}.organisations",
        ("volunteer_team", "银龄志愿服务队", 12),
    )
    await spec.given(org(reg.OrgDeregistered(reason="团队解散")))
    await spec.then("SELECT status FROM {s}.organisations", ("deregistered",))


async def test_a_redelivered_return_is_counted_once(spec: ProjectionSpec) -> None:
    org = Stream("org-1", SID)
    filed, returned = org(FILED, NOON), org(reg.OrgFilingReturned(reasons=["缺章程"]), NOON)
    await spec.given(filed, returned)
    await spec.given(returned)
    await spec.given(filed, returned)
    await spec.then("SELECT returns FROM {s}.organisations", (1,))


async def test_a_station_evaluation_is_one_row(spec: ProjectionSpec) -> None:
    evaluated = reg.StationEvaluated(
        district_id="xigu",
        kind="midterm",
        period="2024",
        scores=reg.EvaluationScores(
            administration=92,
            finance=88,
            service_delivery=95,
            social_evaluation=93,
            publicity_innovation=89,
        ),
        reviewer="西固区民政局评估组",
        evaluated_on=MARCH_19,
        exemplary=True,
    )
    event = Stream("xigu-fulilu-midterm-2024", SID)(evaluated)
    await spec.given(event)
    await spec.given(event)
    await spec.then(
        "SELECT station_id, kind, period, (scores->>'finance')::float, exemplary FROM {s}.evaluations",
        (SID, "midterm", "2024", 88.0, True),
    )


# visits


REGISTERED = vis.HouseholdRegistered(
    household_id="hh-1",
    categories=["minimum_living_allowance"],
    community="福东社区",
    member_count=2,
    head_name_sealed=SEALED,
    registered_at=LATE_EVENING,
)
VISITED = vis.VisitRecorded(
    visit_id="v-1",
    was_scheduled=True,
    visited_at=NOON,
    mode="home_visit",
    social_worker_ids=["sw-1"],
    volunteer_ids=["vol-1", "vol-2"],
    services=[
        vis.ServiceGiven(kind="policy_briefing", policies=["temporary_assistance"]),
        vis.ServiceGiven(kind="counselling"),
    ],
    observations_sealed=SEALED,
    needs_identified=1,
    next_due_at=DUE,
)
NEED = vis.NeedIdentified(
    need_id="n-1", category="medical", severity="urgent", identified_on=MARCH_19
)
NEEDS = "SELECT status, acted_on, ended_on, agency_kind FROM {s}.needs"


async def test_a_household_is_registered_on_its_local_day_and_updated(
    spec: ProjectionSpec,
) -> None:
    household = Stream("hh-1", SID)
    await spec.given(household(REGISTERED))
    await spec.then(
        "SELECT station_id, categories, community, member_count, registered_on, erased "
        "FROM {s}.households",
        (SID, ["minimum_living_allowance"], "福东社区", 2, MARCH_19, False),
    )
    await spec.given(household(vis.HouseholdUpdated(member_count=3, updated_at=NOON)))
    tier = vis.RiskTierAssigned(
        tier="key", reason="periodic_review", assigned_at=NOON, next_due_at=DUE
    )
    await spec.given(household(tier))
    await spec.then(
        "SELECT community, member_count, risk_tier, next_due_at FROM {s}.households",
        ("福东社区", 3, "key", DUE),
    )


async def test_a_scheduled_visit_is_made_with_its_services_and_moves_the_due_date(
    spec: ProjectionSpec,
) -> None:
    household = Stream("hh-1", SID)
    scheduled = vis.VisitScheduled(
        visit_id="v-1", scheduled_for=MARCH_19, social_worker_id="sw-1", purposes=["follow_up"]
    )
    await spec.given(household(REGISTERED), household(scheduled))
    await spec.then("SELECT status, scheduled_for FROM {s}.visits", ("scheduled", MARCH_19))
    await spec.given(household(VISITED))
    await spec.then(
        "SELECT status, scheduled_for, visited_on, services, policies, with_observations, "
        "with_notes, needs_identified, volunteers FROM {s}.visits",
        (
            "made",
            MARCH_19,
            MARCH_19,
            ["counselling", "policy_briefing"],
            ["temporary_assistance"],
            True,
            False,
            1,
            2,
        ),
    )
    await spec.then("SELECT next_due_at FROM {s}.households", (DUE,))
    follow_up = vis.FollowUpScheduled(
        follow_up_on=date(2024, 3, 26), social_worker_id="sw-1", next_due_at=NOON
    )
    await spec.given(household(follow_up))
    await spec.then("SELECT next_due_at FROM {s}.households", (NOON,))


async def test_a_need_is_acted_on_when_first_referred_and_ends_when_resolved(
    spec: ProjectionSpec,
) -> None:
    household = Stream("hh-1", SID)
    referred = vis.NeedReferred(
        need_id="n-1",
        category="medical",
        severity="urgent",
        agency="区医保中心",
        agency_kind="health",
        referred_on=date(2024, 3, 20),
        lawful_basis="consent",
    )
    resolved = vis.NeedResolved(
        need_id="n-1",
        category="medical",
        severity="urgent",
        outcome="assistance_granted",
        resolved_on=date(2024, 3, 25),
    )
    await spec.given(household(REGISTERED), household(NEED))
    await spec.then(NEEDS, ("open", None, None, None))
    await spec.given(household(referred))
    await spec.then(NEEDS, ("referred", date(2024, 3, 20), None, "health"))
    await spec.given(household(resolved))
    await spec.then(NEEDS, ("resolved", date(2024, 3, 20), date(2024, 3, 25), "health"))


async def test_a_closed_need_is_acted_on_and_ended_the_same_day(spec: ProjectionSpec) -> None:
    household = Stream("hh-1", SID)
    closed = vis.NeedClosed(
        need_id="n-1", category="medical", severity="urgent", reason="declined", closed_on=MARCH_19
    )
    await spec.given(household(REGISTERED), household(NEED), household(closed))
    await spec.then(NEEDS, ("closed", MARCH_19, MARCH_19, None))


async def test_an_erased_household_leaves_no_community_nothing_due_and_no_open_need(
    spec: ProjectionSpec,
) -> None:
    household = Stream("hh-1", SID)
    await spec.given(household(REGISTERED), household(VISITED), household(NEED))
    await spec.given(
        household(vis.HouseholdErased(reason="subject_request", erased_at=LATE_EVENING))
    )
    await spec.then("SELECT erased, community, next_due_at FROM {s}.households", (True, None, None))
    await spec.then(NEEDS, ("closed", MARCH_19, MARCH_19, None))


# engagement


HELD = eng.MeetingHeld(
    kind="resident_deliberation",
    title="议事会",
    held_on=MARCH_19,
    participants_total=20,
    summary="议定三件事",
)
MEETING = "SELECT status, on_date, participants, has_summary, issues, motions, resolutions FROM {s}.meetings"
ISSUE = eng.IssueProposed(
    issue_id="i-1", title="楼道照明", proposer_role="resident", proposed_on=MARCH_19
)
MOTION = eng.MotionVoted(
    motion_id="mo-1",
    text="更换楼道灯",
    voted_on=MARCH_19,
    votes_for=15,
    votes_against=2,
    abstentions=1,
    members_total=20,
    members_present=18,
    quorum_rule=eng.QuorumRule(),
    rule_source="settings",
    required_present=14,
    quorum_met=True,
    required_for=10,
    passed=True,
)
RESOLUTION = eng.ResolutionAdopted(
    resolution_id="r-1", motion_id="mo-1", text="三月底前更换", adopted_on=MARCH_19
)


async def test_a_scheduled_meeting_is_held_and_counts_its_deliberation(
    spec: ProjectionSpec,
) -> None:
    meeting = Stream("m-1", SID)
    scheduled = eng.MeetingScheduled(
        kind="resident_deliberation", title="议事会", scheduled_on=date(2024, 3, 18)
    )
    await spec.given(meeting(scheduled))
    await spec.then(MEETING, ("scheduled", date(2024, 3, 18), None, False, 0, 0, 0))
    await spec.given(
        meeting(HELD), meeting(ISSUE), meeting(ISSUE.model_copy(update={"issue_id": "i-2"}))
    )
    await spec.given(meeting(MOTION), meeting(RESOLUTION))
    await spec.then(MEETING, ("held", MARCH_19, 20, True, 2, 1, 1))


async def test_a_redelivered_issue_is_counted_once(spec: ProjectionSpec) -> None:
    meeting = Stream("m-1", SID)
    held, issue = meeting(HELD), meeting(ISSUE)
    await spec.given(held, issue)
    await spec.given(issue)
    await spec.given(held, issue)
    await spec.then("SELECT issues FROM {s}.meetings", (1,))


async def test_a_cancelled_meeting_stays_on_its_scheduled_day(spec: ProjectionSpec) -> None:
    cancelled = eng.MeetingCancelled(
        kind="joint_meeting",
        title="联席会议",
        scheduled_on=MARCH_19,
        cancelled_on=date(2024, 3, 18),
        reason="场地冲突",
    )
    await spec.given(Stream("m-1", SID)(cancelled))
    await spec.then(
        "SELECT status, kind, on_date FROM {s}.meetings", ("cancelled", "joint_meeting", MARCH_19)
    )


async def test_an_action_item_is_assigned_then_done_late(spec: ProjectionSpec) -> None:
    meeting = Stream("m-1", SID)
    assigned = eng.ActionItemAssigned(
        action_id="a-1",
        title="联系物业",
        owner_role="building_head",
        owner_name_sealed=SEALED,
        assigned_on=MARCH_19,
        due_on=date(2024, 3, 31),
    )
    done = eng.ActionItemDone(
        action_id="a-1",
        title="联系物业",
        due_on=date(2024, 3, 31),
        done_on=date(2024, 4, 2),
        late=True,
    )
    await spec.given(meeting(HELD), meeting(assigned))
    await spec.then(
        "SELECT station_id, assigned_on, due_on, done_on, late FROM {s}.action_items",
        (SID, MARCH_19, date(2024, 3, 31), None, None),
    )
    await spec.given(meeting(done))
    await spec.then("SELECT done_on, late FROM {s}.action_items", (date(2024, 4, 2), True))


IN_AT = datetime(2024, 3, 16, 1, 0, tzinfo=UTC)
CHECKED_IN = eng.ServiceSessionCheckedIn(session_id="s-1", checked_in_at=IN_AT, activity="陪伴老人")
CHECKED_OUT = eng.ServiceSessionCheckedOut(
    session_id="s-1",
    checked_in_at=IN_AT,
    checked_out_at=datetime(2024, 3, 16, 2, 30, tzinfo=UTC),
    minutes=90,
    auto_closed=False,
    limit_hours=8,
)
ENROLLED = eng.VolunteerEnrolled(
    category="student", affiliation="兰州财经大学", name_sealed=SEALED, enrolled_on=date(2024, 3, 1)
)
DAYS = "SELECT station_id, day, minutes, closed, checked_out FROM {s}.volunteer_days"


async def test_a_volunteer_trains_serves_and_is_certified(spec: ProjectionSpec) -> None:
    volunteer = Stream("v-1", SID)
    trained = eng.TrainingAttended(
        training_id="t-1", title="共学坊", attended_on=date(2024, 3, 9), minutes=120
    )
    certified = eng.CertificateIssued(
        certificate_number="ZY-2024-7KQ3M-9TXWA-Y",
        session_ids=["s-1"],
        sessions=1,
        minutes=90,
        hours=1.5,
        auto_closed_sessions=0,
        period_from=date(2024, 3, 16),
        period_to=date(2024, 3, 16),
        issued_on=date(2024, 3, 22),
    )
    await spec.given(volunteer(ENROLLED), volunteer(trained), volunteer(CHECKED_IN))
    await spec.then(
        "SELECT station_id, category, enrolled_on, certificates FROM {s}.volunteers",
        (SID, "student", date(2024, 3, 1), 0),
    )
    await spec.then("SELECT training_id, minutes FROM {s}.trainings", ("t-1", 120))
    await spec.then(
        "SELECT started_on, minutes, auto_closed FROM {s}.volunteer_sessions",
        (date(2024, 3, 16), None, None),
    )
    await spec.given(volunteer(CHECKED_OUT), volunteer(certified))
    await spec.then("SELECT minutes, auto_closed FROM {s}.volunteer_sessions", (90, False))
    await spec.then(DAYS, (SID, date(2024, 3, 16), 90, 1, 1))
    await spec.then("SELECT certificates FROM {s}.volunteers", (1,))


async def test_a_session_closed_at_the_limit_then_checked_out_counts_once_with_its_last_minutes(
    spec: ProjectionSpec,
) -> None:
    volunteer = Stream("v-1", SID)
    at_limit = CHECKED_OUT.model_copy(update={"minutes": 480, "auto_closed": True})
    await spec.given(volunteer(ENROLLED), volunteer(CHECKED_IN), volunteer(at_limit))
    await spec.then(DAYS, (SID, date(2024, 3, 16), 480, 1, 0))
    await spec.given(volunteer(CHECKED_OUT))
    await spec.then(DAYS, (SID, date(2024, 3, 16), 90, 1, 1))


async def test_a_redelivered_check_out_adds_no_minutes(spec: ProjectionSpec) -> None:
    volunteer = Stream("v-1", SID)
    enrolled, checked_in, checked_out = (
        volunteer(ENROLLED),
        volunteer(CHECKED_IN),
        volunteer(CHECKED_OUT),
    )
    await spec.given(enrolled, checked_in, checked_out)
    await spec.given(checked_out)
    await spec.given(enrolled, checked_in, checked_out)
    await spec.then(DAYS, (SID, date(2024, 3, 16), 90, 1, 1))

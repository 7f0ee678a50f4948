"""The registry's read models, event by event: Organisations (a row per organisation through its
filing lifecycle, and its timeline) and Evaluations (a row per station evaluation with its
total); a redelivery changes nothing; an erased contact leaves no sealed value behind."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from shegong_events.registry import (
    EvaluationScores,
    OrgChanged,
    OrgContactErased,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
    StationEvaluated,
)
from shegong_registry.projections import Evaluations, Organisations
from shegong_testing.projection_spec import ProjectionSpec, Stream

SEALED = "sealed:v1:AAAA"
DAY = [datetime(2024, 3, 18, 4, 0, tzinfo=UTC) + timedelta(days=n) for n in range(6)]
NUMBER = "xigu-fulilu-2024-0001"

FILED = OrgFiled(
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed=SEALED,
    responsible_phone_sealed=SEALED,
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练",
)
APPROVED = OrgFilingApproved(filing_number=NUMBER, name=FILED.name, category="culture_sports")
ROW = "SELECT status, filing_number, members, pending_since, version FROM {s}.organisations"


@pytest.fixture
async def orgs(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, Organisations()) as opened:
        yield opened


@pytest.fixture
def org() -> Stream:
    return Stream("org-1", "xigu-fulilu")


async def test_a_filed_organisation_is_pending_from_its_filing(
    orgs: ProjectionSpec, org: Stream
) -> None:
    await orgs.given(org(FILED, DAY[0]))
    await orgs.then(
        "SELECT station_id, name, status, members, filed_at, pending_since, updated_at, version "
        "FROM {s}.organisations",
        ("xigu-fulilu", FILED.name, "pending", 20, DAY[0], DAY[0], DAY[0], 1),
    )
    details = json.loads(await orgs.value("SELECT details FROM {s}.org_timeline"))
    assert details["personal_data_sealed"] == ["responsible_person", "responsible_phone"]
    assert SEALED not in json.dumps(details)


async def test_a_returned_filing_waits_for_no_one_until_it_is_resubmitted(
    orgs: ProjectionSpec, org: Stream
) -> None:
    returned = OrgFilingReturned(reasons=["章程摘要不完整"])
    resubmitted = OrgFilingResubmitted(charter_summary="补正后的章程摘要", note="已补正")
    await orgs.given(org(FILED, DAY[0]), org(returned, DAY[1]))
    await orgs.then(
        "SELECT status, pending_since, return_reasons FROM {s}.organisations",
        ("returned", None, '["章程摘要不完整"]'),
    )
    await orgs.given(org(resubmitted, DAY[2]))
    await orgs.then(
        "SELECT status, pending_since, return_reasons, charter_summary FROM {s}.organisations",
        ("pending", DAY[2], None, "补正后的章程摘要"),
    )


async def test_approval_gives_the_filing_number_and_a_change_updates_the_row(
    orgs: ProjectionSpec, org: Stream
) -> None:
    await orgs.given(org(FILED, DAY[0]), org(APPROVED, DAY[1]))
    await orgs.then(ROW, ("approved", NUMBER, 20, None, 2))
    await orgs.then("SELECT approved_at FROM {s}.organisations", (DAY[1],))
    await orgs.given(org(OrgChanged(members=35, note="新成员"), DAY[2]))
    await orgs.then(ROW, ("approved", NUMBER, 35, None, 3))
    await orgs.then("SELECT updated_at FROM {s}.organisations", (DAY[2],))
    await orgs.then(
        "SELECT version, event_type FROM {s}.org_timeline ORDER BY version",
        (1, "OrgFiled"),
        (2, "OrgFilingApproved"),
        (3, "OrgChanged"),
    )


async def test_a_converted_team_takes_its_new_name_and_a_deregistered_one_its_reason(
    orgs: ProjectionSpec, org: Stream
) -> None:
    converted = OrgConvertedToVolunteerTeam(
        team_name="银龄志愿服务队", volunteers=12, service_focus="助老陪伴"
    )
    await orgs.given(org(FILED, DAY[0]), org(APPROVED, DAY[1]), org(converted, DAY[2]))
    await orgs.then(
        "SELECT status, name, volunteers, service_focus FROM {s}.organisations",
        ("volunteer_team", "银龄志愿服务队", 12, "助老陪伴"),
    )
    await orgs.given(org(OrgDeregistered(reason="团队解散"), DAY[3]))
    await orgs.then(
        "SELECT status, deregistered_at, deregistration_reason FROM {s}.organisations",
        ("deregistered", DAY[3], "团队解散"),
    )


async def test_an_erased_contact_leaves_no_sealed_value_in_the_read_model(
    orgs: ProjectionSpec, org: Stream
) -> None:
    erased = OrgContactErased(reason="subject_request", erased_at=DAY[2])
    await orgs.given(org(FILED, DAY[0]), org(APPROVED, DAY[1]), org(erased, DAY[2]))
    await orgs.then(
        "SELECT responsible_person_sealed, responsible_phone_sealed, status FROM {s}.organisations",
        ("", None, "approved"),
    )
    assert SEALED not in str(await orgs.rows("SELECT details FROM {s}.org_timeline"))


async def test_a_redelivered_event_changes_nothing(orgs: ProjectionSpec, org: Stream) -> None:
    filed, approved = org(FILED, DAY[0]), org(APPROVED, DAY[1])
    changed = org(OrgChanged(members=35), DAY[2])
    await orgs.given(filed, approved, changed)
    await orgs.given(approved)  # redelivered after the change: not applied again
    await orgs.then(ROW, ("approved", NUMBER, 35, None, 3))
    await orgs.given(filed, approved, changed)  # the whole history replayed
    await orgs.then(ROW, ("approved", NUMBER, 35, None, 3))
    await orgs.then("SELECT count(*) FROM {s}.org_timeline", (3,))


SCORES = EvaluationScores(
    administration=92,
    finance=88,
    service_delivery=95,
    social_evaluation=93,
    publicity_innovation=89,
)
EVALUATED = StationEvaluated(
    district_id="xigu",
    kind="midterm",
    period="2024",
    scores=SCORES,
    reviewer="西固区民政局评估组",
    evaluated_on=date(2024, 3, 18),
    exemplary=True,
    highlights=["项目特色鲜明"],
)


@pytest.fixture
async def evaluations(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, Evaluations()) as opened:
        yield opened


async def test_an_evaluation_is_one_row_with_its_total_however_often_it_arrives(
    evaluations: ProjectionSpec,
) -> None:
    evaluation = Stream("xigu-fulilu-midterm-2024", "xigu-fulilu")(EVALUATED)
    await evaluations.given(evaluation)
    await evaluations.given(evaluation)
    await evaluations.then(
        "SELECT evaluation_id, station_id, district_id, kind, period, total, exemplary, "
        "highlights FROM {s}.evaluations",
        (
            "xigu-fulilu-midterm-2024",
            "xigu-fulilu",
            "xigu",
            "midterm",
            "2024",
            91.4,
            True,
            '["项目特色鲜明"]',
        ),
    )


async def test_an_organisation_event_is_no_evaluation(
    evaluations: ProjectionSpec, org: Stream
) -> None:
    await evaluations.given(org(FILED, DAY[0]))
    await evaluations.then("SELECT count(*) FROM {s}.evaluations", (0,))

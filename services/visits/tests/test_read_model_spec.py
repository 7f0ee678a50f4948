"""VisitsReadModel, event by event: what each visits fact writes to households, needs, the
personal rows, the heads' name index and the timeline; a redelivery changes nothing; erasure
leaves no personal data."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from shegong_events.visits import (
    FollowUpScheduled,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    RiskTierAssigned,
    ServiceGiven,
    VisitRecorded,
)
from shegong_runtime.crypto import KeyStore
from shegong_runtime.settings import Settings
from shegong_testing.projection_spec import ProjectionSpec, Stream
from shegong_visits.name_index import NameIndex, digest
from shegong_visits.projections import VisitsReadModel

SEALED = "sealed:v1:AAAA"
MASTER = Settings().master_key
MONDAY = datetime(2024, 4, 15, 4, 0, tzinfo=UTC)
DUE = datetime(2024, 5, 15, 4, 0, tzinfo=UTC)
LATER_DUE = datetime(2024, 6, 15, 4, 0, tzinfo=UTC)

REGISTERED = HouseholdRegistered(
    household_id="hh-1",
    categories=["minimum_living_allowance"],
    community="福东社区",
    member_count=2,
    head_name_sealed=SEALED,
    phone_sealed=SEALED,
    registered_at=MONDAY,
)
TIERED = RiskTierAssigned(
    tier="key", reason="initial_assessment", assigned_at=MONDAY, next_due_at=DUE
)
VISITED = VisitRecorded(
    visit_id="v-1",
    visited_at=MONDAY,
    mode="home_visit",
    social_worker_ids=["sw-1"],
    services=[ServiceGiven(kind="policy_briefing", policies=["minimum_living_allowance"])],
    observations_sealed=SEALED,
    next_due_at=LATER_DUE,
)
URGENT = NeedIdentified(
    need_id="n-1", category="medical", severity="urgent", identified_on=date(2024, 4, 15)
)
ERASED = HouseholdErased(reason="subject_request", erased_at=MONDAY)


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, VisitsReadModel()) as opened:
        yield opened


@pytest.fixture
def household() -> Stream:
    return Stream("hh-1", "xigu-fulilu")


async def test_a_registered_household_is_listed_with_its_personal_data_sealed_apart(
    spec: ProjectionSpec, household: Stream
) -> None:
    await spec.given(household(REGISTERED))
    await spec.then(
        "SELECT station_id, community, categories, member_count, risk_tier, visits, erased, "
        "version FROM {s}.households",
        ("xigu-fulilu", "福东社区", ["minimum_living_allowance"], 2, "general", 0, False, 1),
    )
    await spec.then(
        "SELECT head_name_sealed, phone_sealed, address_sealed FROM {s}.household_personal",
        (SEALED, SEALED, None),
    )
    await spec.then(
        "SELECT version, event_type, facts->>'community', sealed->>'head_name_sealed' "
        "FROM {s}.timeline",
        (1, "HouseholdRegistered", "福东社区", SEALED),
    )


async def test_an_update_changes_only_the_fields_it_carries(
    spec: ProjectionSpec, household: Stream
) -> None:
    updated = HouseholdUpdated(member_count=3, address_sealed=SEALED, updated_at=MONDAY)
    await spec.given(household(REGISTERED), household(updated))
    await spec.then(
        "SELECT community, categories, member_count FROM {s}.households",
        ("福东社区", ["minimum_living_allowance"], 3),
    )
    await spec.then(
        "SELECT head_name_sealed, address_sealed FROM {s}.household_personal", (SEALED, SEALED)
    )


async def test_a_tier_a_visit_and_a_follow_up_move_the_due_date_and_count_the_visit(
    spec: ProjectionSpec, household: Stream
) -> None:
    await spec.given(household(REGISTERED), household(TIERED))
    await spec.then("SELECT risk_tier, next_due_at FROM {s}.households", ("key", DUE))
    await spec.given(household(VISITED))
    await spec.then(
        "SELECT visits, last_visit_at, next_due_at FROM {s}.households", (1, MONDAY, LATER_DUE)
    )
    follow_up = FollowUpScheduled(
        follow_up_on=date(2024, 4, 22), social_worker_id="sw-1", next_due_at=DUE
    )
    await spec.given(household(follow_up))
    await spec.then("SELECT visits, next_due_at FROM {s}.households", (1, DUE))


async def test_a_redelivered_visit_is_counted_once(spec: ProjectionSpec, household: Stream) -> None:
    registered, visited = household(REGISTERED), household(VISITED)
    await spec.given(registered, visited)
    await spec.given(visited)  # redelivery, as after a crash before the checkpoint
    await spec.given(registered, visited)  # a replay of the whole history
    await spec.then("SELECT visits FROM {s}.households", (1,))
    await spec.then("SELECT count(*) FROM {s}.timeline", (2,))


async def test_a_need_is_open_then_referred_then_resolved(
    spec: ProjectionSpec, household: Stream
) -> None:
    referred = NeedReferred(
        need_id="n-1",
        category="medical",
        severity="urgent",
        agency="区医保中心",
        agency_kind="health",
        referred_on=date(2024, 4, 16),
        lawful_basis="consent",
    )
    resolved = NeedResolved(
        need_id="n-1",
        category="medical",
        severity="urgent",
        outcome="assistance_granted",
        resolved_on=date(2024, 4, 20),
    )
    query = "SELECT status, station_id, referred_to, settled_on FROM {s}.needs"
    await spec.given(household(REGISTERED), household(URGENT))
    await spec.then(query, ("open", "xigu-fulilu", None, None))
    await spec.given(household(referred))
    await spec.then(query, ("referred", "xigu-fulilu", "区医保中心", None))
    await spec.given(household(resolved))
    await spec.then(query, ("resolved", "xigu-fulilu", "区医保中心", date(2024, 4, 20)))


async def test_a_closed_need_is_settled_on_its_closing_day(
    spec: ProjectionSpec, household: Stream
) -> None:
    closed = NeedClosed(
        need_id="n-1",
        category="medical",
        severity="urgent",
        reason="no_longer_needed",
        closed_on=date(2024, 4, 18),
    )
    await spec.given(household(REGISTERED), household(URGENT), household(closed))
    await spec.then("SELECT status, settled_on FROM {s}.needs", ("closed", date(2024, 4, 18)))


async def test_erasure_deletes_personal_rows_drops_sealed_values_and_closes_open_needs(
    spec: ProjectionSpec, household: Stream
) -> None:
    await spec.given(
        household(REGISTERED), household(TIERED), household(VISITED), household(URGENT)
    )
    await spec.given(household(ERASED))
    await spec.then("SELECT erased, next_due_at FROM {s}.households", (True, None))
    await spec.then("SELECT count(*) FROM {s}.household_personal", (0,))
    await spec.then("SELECT status FROM {s}.needs", ("closed",))
    assert SEALED not in str(await spec.rows("SELECT sealed FROM {s}.timeline"))


async def test_a_late_event_of_an_erased_household_brings_no_personal_data_back(
    spec: ProjectionSpec, household: Stream
) -> None:
    await spec.given(household(REGISTERED), household(ERASED))
    late = HouseholdUpdated(phone_sealed=SEALED, updated_at=MONDAY)
    await spec.given(household(late))
    await spec.then("SELECT count(*) FROM {s}.household_personal", (0,))
    assert SEALED not in str(await spec.rows("SELECT sealed FROM {s}.timeline"))


# ── the head's name as a blind index: opened with the household's key, kept only as its HMAC ──


@pytest.fixture
async def keys(pool: asyncpg.Pool) -> AsyncIterator[KeyStore]:
    """A key store of its own, as the service's would be."""
    schema = f"spec_keys_{uuid.uuid4().hex[:8]}"
    store = KeyStore(pool, schema, MASTER)
    await store.migrate()
    try:
        yield store
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
async def indexed(pool: asyncpg.Pool, keys: KeyStore) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, VisitsReadModel(names=NameIndex(keys, MASTER))) as opened:
        yield opened


def registered_as(sealed_name: str) -> HouseholdRegistered:
    return REGISTERED.model_copy(update={"head_name_sealed": sealed_name, "phone_sealed": None})


async def test_a_registered_head_is_indexed_by_the_hmac_of_the_normalised_name(
    indexed: ProjectionSpec, household: Stream, keys: KeyStore
) -> None:
    sealed = await keys.seal("household:hh-1", "张 秀英")
    assert sealed is not None
    await indexed.given(household(registered_as(sealed)))
    await indexed.then(
        "SELECT household_id, station_id, head_name_hmac FROM {s}.household_names",
        ("hh-1", "xigu-fulilu", digest("张秀英", MASTER)),
    )


async def test_a_new_name_replaces_the_index_and_an_update_without_one_keeps_it(
    indexed: ProjectionSpec, household: Stream, keys: KeyStore
) -> None:
    old, new = [await keys.seal("household:hh-1", n) for n in ("王芳", "王芳芳")]
    assert old is not None and new is not None
    await indexed.given(household(registered_as(old)))
    await indexed.given(household(HouseholdUpdated(member_count=3, updated_at=MONDAY)))
    await indexed.then("SELECT head_name_hmac FROM {s}.household_names", (digest("王芳", MASTER),))
    renamed = HouseholdUpdated(head_name_sealed=new, updated_at=MONDAY)
    await indexed.given(household(renamed))
    await indexed.then(
        "SELECT head_name_hmac FROM {s}.household_names", (digest("王芳芳", MASTER),)
    )


async def test_within_one_batch_the_last_name_is_the_one_indexed(
    indexed: ProjectionSpec, household: Stream, keys: KeyStore
) -> None:
    first, second = [await keys.seal("household:hh-1", n) for n in ("李强", "李强国")]
    assert first is not None
    renamed = HouseholdUpdated(head_name_sealed=second, updated_at=MONDAY)
    await indexed.given(household(registered_as(first)), household(renamed))
    await indexed.then(
        "SELECT head_name_hmac FROM {s}.household_names", (digest("李强国", MASTER),)
    )


async def test_erasure_deletes_the_index_also_within_the_batch_that_named_the_head(
    indexed: ProjectionSpec, keys: KeyStore
) -> None:
    early, late = Stream("hh-1", "xigu-fulilu"), Stream("hh-2", "xigu-fulilu")
    zhao, qian = (
        await keys.seal("household:hh-1", "赵敏"),
        await keys.seal("household:hh-2", "钱进"),
    )
    assert zhao is not None and qian is not None
    await indexed.given(early(registered_as(zhao)))
    await indexed.given(early(ERASED), late(registered_as(qian)), late(ERASED))
    await indexed.then("SELECT count(*) FROM {s}.household_names", (0,))


async def test_a_household_whose_key_is_gone_gets_no_index(
    indexed: ProjectionSpec, household: Stream, keys: KeyStore
) -> None:
    """A rebuild after an erasure meets the registration with its key destroyed: nothing to
    open, nothing indexed (and the erasure after it deletes what else there is)."""
    sealed = await keys.seal("household:hh-1", "孙丽")
    assert sealed is not None
    await keys.erase("household:hh-1")
    await indexed.given(household(registered_as(sealed)))
    await indexed.then("SELECT count(*) FROM {s}.household_names", (0,))
    await indexed.then("SELECT count(*) FROM {s}.household_personal", (1,))  # sealed, unreadable


async def test_a_model_built_without_keys_keeps_no_names(
    spec: ProjectionSpec, household: Stream
) -> None:
    await spec.given(household(REGISTERED))
    await spec.then("SELECT count(*) FROM {s}.household_names", (0,))

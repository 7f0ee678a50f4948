"""The organisation read model applies each event once and in aggregate order, whatever the
bus delivers: a redelivery changes nothing, an event ahead of its predecessor waits."""

import uuid
from datetime import UTC, datetime

import pytest
from shegong_events import Envelope
from shegong_events.registry import OrgChanged, OrgFiled, OrgFilingApproved

from shegong_registry.projections import OrganisationEventAhead, Organisations

FILED = OrgFiled(
    name="银龄之声合唱团",
    category="culture_sports",
    community="福东社区",
    responsible_person_sealed="sealed:v1:AAAA",
    members=20,
    activity_area="福东社区",
    charter_summary="每周排练",
)


def envelope(event, version, org_id):
    env = Envelope.wrap(
        event,
        aggregate_id=org_id,
        station_id="xigu-fulilu",
        actor="t",
        occurred_at=datetime(2024, 3, 19 + version, tzinfo=UTC),
    )
    return env.model_copy(update={"aggregate_version": version})


@pytest.fixture
async def schema(pool):
    name = f"orgs_{uuid.uuid4().hex[:10]}"
    await pool.execute(f"CREATE SCHEMA {name}")
    await pool.execute(Organisations.ddl.format(s=name))
    yield name
    await pool.execute(f"DROP SCHEMA {name} CASCADE")


async def test_redelivered_and_early_events_leave_the_model_as_one_ordered_delivery_would(
    pool, schema
):
    projection, org_id = Organisations(), "org-projection"
    v1 = envelope(FILED, 1, org_id)
    v2 = envelope(
        OrgFilingApproved(
            filing_number="xigu-fulilu-2024-0001", name=FILED.name, category="culture_sports"
        ),
        2,
        org_id,
    )
    v3 = envelope(OrgChanged(members=35), 3, org_id)
    async with pool.acquire() as conn:
        await projection.apply(conn, schema, v1)
        await projection.apply(conn, schema, v1)  # redelivered
        with pytest.raises(OrganisationEventAhead):
            await projection.apply(conn, schema, v3)  # ahead of v2: retried later by the runner
        await projection.apply(conn, schema, v2)
        await projection.apply(conn, schema, v3)
        await projection.apply(conn, schema, v2)  # redelivered late
        row = await conn.fetchrow(
            f"SELECT * FROM {schema}.organisations WHERE organisation_id = $1", org_id
        )
        timeline = await conn.fetch(
            f"SELECT version FROM {schema}.org_timeline WHERE organisation_id = $1", org_id
        )
    assert (row["status"], row["filing_number"], row["members"], row["version"]) == (
        "approved",
        "xigu-fulilu-2024-0001",
        35,
        3,
    )
    assert sorted(r["version"] for r in timeline) == [1, 2, 3]

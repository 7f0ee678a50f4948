"""The organisation read model, one handler per event type: an aggregate's events applied in
order (as the runtime's partitions deliver them, each once by its processed-ids tracking) build
the row and the timeline one ordered delivery would."""

import uuid
from datetime import UTC, datetime

import pytest
from shegong_events import Envelope
from shegong_events.registry import OrgChanged, OrgFiled, OrgFilingApproved
from shegong_registry.projections import Organisations

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


async def test_an_organisations_events_in_order_build_its_row_and_timeline(pool, schema):
    projection, org_id = Organisations(), "org-projection"
    history = [
        envelope(FILED, 1, org_id),
        envelope(
            OrgFilingApproved(
                filing_number="xigu-fulilu-2024-0001", name=FILED.name, category="culture_sports"
            ),
            2,
            org_id,
        ),
        envelope(OrgChanged(members=35), 3, org_id),
    ]
    async with pool.acquire() as conn:
        await projection.apply_batch(conn, schema, history)
        row = await conn.fetchrow(
            f"SELECT * FROM {schema}.organisations WHERE organisation_id = $1", org_id
        )
        timeline = await conn.fetch(
            f"SELECT version, details FROM {schema}.org_timeline WHERE organisation_id = $1 "
            "ORDER BY version",
            org_id,
        )
    assert (row["status"], row["filing_number"], row["members"], row["version"]) == (
        "approved",
        "xigu-fulilu-2024-0001",
        35,
        3,
    )
    assert (row["filed_at"], row["updated_at"]) == (history[0].occurred_at, history[2].occurred_at)
    assert [r["version"] for r in timeline] == [1, 2, 3]
    assert '"personal_data_sealed": ["responsible_person"]' in timeline[0]["details"]
    assert "sealed:v1:" not in "".join(r["details"] for r in timeline)

"""The read model applies each meeting's events in version order, once, whatever the delivery order."""

import uuid

import pytest
from shegong_engagement.projections import EngagementViews, OutOfOrder
from shegong_events import Envelope
from shegong_events.engagement import MeetingHeld, MeetingScheduled
from shegong_runtime import generations


def versioned(event, meeting_id, version):
    env = Envelope.wrap(event, aggregate_id=meeting_id, station_id="eng-order", actor="test")
    return env.model_copy(update={"aggregate_version": version})


@pytest.fixture
async def schema(pool):
    name = f"engagement_views_test_{uuid.uuid4().hex[:8]}"
    await generations.create_schema(pool, name, EngagementViews.ddl)
    yield name
    await generations.drop_schema(pool, name)


async def test_an_event_ahead_of_its_predecessor_is_refused_and_a_repeat_is_ignored(
    pool, schema, unique
):
    mid = unique("m")
    scheduled = versioned(
        MeetingScheduled(kind="resident_deliberation", title="议事会", scheduled_on="2024-03-19"),
        mid,
        1,
    )
    held = versioned(
        MeetingHeld(
            kind="resident_deliberation",
            title="议事会",
            held_on="2024-03-19",
            participants_total=20,
        ),
        mid,
        2,
    )
    views = EngagementViews()
    async with pool.acquire() as conn:
        with pytest.raises(OutOfOrder):
            async with conn.transaction():
                await views.apply(conn, schema, held)
        for env in (scheduled, held, held, scheduled):
            async with conn.transaction():
                await views.apply(conn, schema, env)
        row = await conn.fetchrow(
            f"SELECT status, participants_total FROM {schema}.meetings WHERE meeting_id = $1", mid
        )
    assert (row["status"], row["participants_total"]) == ("held", 20)

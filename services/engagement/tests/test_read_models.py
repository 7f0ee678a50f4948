"""The read model applies each meeting's events in version order, once, whatever the delivery
order: the runtime's tracking (processed ids, per-aggregate order) is all it relies on."""

import uuid
from datetime import date

import pytest
from shegong_engagement.projections import EngagementViews
from shegong_events import Envelope
from shegong_events.engagement import MeetingHeld, MeetingScheduled
from shegong_runtime import generations, ordering
from shegong_runtime.projection import TRACKING_DDL


def versioned(event, meeting_id, version):
    env = Envelope.wrap(event, aggregate_id=meeting_id, station_id="eng-order", actor="test")
    return env.model_copy(update={"aggregate_version": version})


@pytest.fixture
async def schema(pool):
    name = f"engagement_views_test_{uuid.uuid4().hex[:8]}"
    await generations.create_schema(pool, name, EngagementViews.ddl + TRACKING_DDL)
    yield name
    await generations.drop_schema(pool, name)


async def deliver(conn, schema, env):
    """One delivery as the projection runner makes it: a repeat is a no-op, an event ahead of
    its predecessor waits for it."""
    async with conn.transaction():
        turn = await ordering.admit(conn, schema, "test", [env], False)  # records it processed
        await EngagementViews().apply_batch(conn, schema, turn.admitted)
        await ordering.record(conn, schema, turn.versions)  # the runner's checkpoint does this


async def test_an_event_ahead_of_its_predecessor_waits_and_a_repeat_is_ignored(
    pool, schema, unique
):
    mid = unique("m")
    scheduled = versioned(
        MeetingScheduled(
            kind="resident_deliberation", title="议事会", scheduled_on=date(2024, 3, 19)
        ),
        mid,
        1,
    )
    held = versioned(
        MeetingHeld(
            kind="resident_deliberation",
            title="议事会",
            held_on=date(2024, 3, 19),
            participants_total=20,
        ),
        mid,
        2,
    )
    query = f"SELECT status, participants_total FROM {schema}.meetings WHERE meeting_id = $1"
    async with pool.acquire() as conn:
        await deliver(conn, schema, held)
        assert await conn.fetchrow(query, mid) is None  # not applied ahead of its predecessor
        for env in (scheduled, held, held, scheduled):
            await deliver(conn, schema, env)
        row = await conn.fetchrow(query, mid)
    assert (row["status"], row["participants_total"]) == ("held", 20)

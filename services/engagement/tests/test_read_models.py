"""The read model applies each meeting's events in version order, once, whatever the delivery
order: the runtime's tracking (processed ids, per-aggregate order) is all it relies on."""

from collections.abc import AsyncIterator, Callable
from datetime import date

import asyncpg
import pytest
from shegong_engagement.projections import EngagementViews
from shegong_events.engagement import MeetingHeld, MeetingScheduled
from shegong_testing.projection_spec import ProjectionSpec, Stream


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, EngagementViews()) as opened:
        yield opened


async def test_an_event_ahead_of_its_predecessor_waits_and_a_repeat_is_ignored(
    spec: ProjectionSpec, unique: Callable[[str], str]
) -> None:
    meeting = Stream(unique("m"), "eng-order")
    scheduled = meeting(
        MeetingScheduled(
            kind="resident_deliberation", title="议事会", scheduled_on=date(2024, 3, 19)
        )
    )
    held = meeting(
        MeetingHeld(
            kind="resident_deliberation",
            title="议事会",
            held_on=date(2024, 3, 19),
            participants_total=20,
        )
    )
    query = "SELECT status, participants_total FROM {s}.meetings"
    await spec.given(held)
    await spec.then(query)  # not applied ahead of its predecessor
    for env in (scheduled, held, held, scheduled):  # one delivery each, as the runner makes them
        await spec.given(env)
    await spec.then(query, ("held", 20))

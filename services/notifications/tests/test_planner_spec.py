"""NotificationPlanner, event by event: the stations it learns, the deliveries a matching event
plans (once per recipient, once however often the event arrives, nothing for history older than
the rule, nothing again in a rebuilt generation) and the reminders it sets and cancels.

What it plans lives in the service schema (`notifications`), shared by the whole run, so every
spec here works on a station of its own. Rules and recipients are written as their commands
write them: by their events, in step (`projections.in_step`).
"""

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import asyncpg
import pytest
from shegong_events import Envelope
from shegong_events.notifications import (
    Audience,
    Condition,
    RecipientRegistered,
    Reminder,
    RuleDefined,
)
from shegong_events.registry import StationOpened, StationUpdated
from shegong_events.visits import NeedReferred, NeedResolved
from shegong_notifications import tables
from shegong_notifications.projections import NotificationPlanner, in_step
from shegong_runtime import generations
from shegong_runtime.eventstore import EventStore
from shegong_testing.projection_spec import ProjectionSpec, Stream

from .helpers import station_ids, urgent_need

REFERRAL = Reminder(
    at_field="referred_on",
    offset_days=7,
    key="{aggregate_id}-{need_id}",
    cancel_on=["NeedResolved", "NeedClosed"],
)
DELIVERIES = (
    "SELECT rule_id, recipient_id, source_event_type, channel, title "
    "FROM notifications.deliveries WHERE station_id = $1 ORDER BY recipient_id"
)
TIMERS = (
    "SELECT subject_key, status, (fire_at AT TIME ZONE 'Asia/Shanghai')::date "
    "FROM notifications.timers WHERE station_id = $1"
)


async def prepare(pool: asyncpg.Pool) -> None:
    """The service's tables and event store (reminders journal what they schedule), and the
    live-generation pointer the planner looks at, as the service's start makes them."""
    await tables.ensure(pool)
    await EventStore(pool, tables.S).migrate()
    await generations.live(pool, NotificationPlanner.name)


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    await prepare(pool)
    async with ProjectionSpec.open(pool, NotificationPlanner()) as opened:
        yield opened


def opened(station_id: str, district_id: str) -> StationOpened:
    return StationOpened(
        station_id=station_id,
        name="福利路街道社工站",
        city="兰州市",
        district_id=district_id,
        district_name="西固区",
        street="福利路街道",
        kind="street",
    )


@pytest.fixture
async def station(spec: ProjectionSpec, unique: Callable[[str], str]) -> tuple[str, str]:
    """A fresh station in a fresh district, learned from its StationOpened."""
    station_id, district_id = station_ids(unique)
    await spec.given(Stream(station_id, station_id)(opened(station_id, district_id)))
    return station_id, district_id


async def in_step_of(pool: asyncpg.Pool, *events: Envelope) -> None:
    """The service's own events, written as a command writes them: in its transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await in_step(conn, list(events))


def rule(
    rule_id: str, station_id: str, trigger: str, template_id: str, reminder: Reminder | None = None
) -> Envelope:
    defined = RuleDefined(
        rule_id=rule_id,
        scope="station",
        scope_id=station_id,
        trigger=trigger,
        conditions=[Condition(field="severity", op="eq", value="urgent")],
        audience=Audience(role="station_lead"),
        channel="inbox",
        template_id=template_id,
        reminder=reminder,
    )
    return Stream(rule_id, station_id)(defined)


def lead(recipient_id: str, station_id: str, district_id: str) -> Envelope:
    registered = RecipientRegistered(
        recipient_id=recipient_id,
        role="station_lead",
        station_id=station_id,
        district_id=district_id,
    )
    return Stream(recipient_id, station_id)(registered)


async def test_a_station_is_learned_and_renamed(
    spec: ProjectionSpec, unique: Callable[[str], str]
) -> None:
    station_id, district_id = station_ids(unique)
    station = Stream(station_id, station_id)
    query = (
        "SELECT name, district_id, district_name FROM notifications.stations WHERE station_id = $1"
    )
    await spec.given(station(opened(station_id, district_id)))
    assert [tuple(r.values()) for r in await spec.rows(query, station_id)] == [
        ("福利路街道社工站", district_id, "西固区")
    ]
    await spec.given(station(StationUpdated(name="福利路街道社会工作服务站")))
    assert [tuple(r.values()) for r in await spec.rows(query, station_id)] == [
        ("福利路街道社会工作服务站", district_id, "西固区")
    ]


async def test_an_urgent_need_plans_one_delivery_for_each_lead_and_a_low_one_none(
    spec: ProjectionSpec, station: tuple[str, str], unique: Callable[[str], str]
) -> None:
    station_id, district_id = station
    rule_id, first, second = unique("rule"), unique("lead"), unique("lead")
    await in_step_of(
        spec.pool,
        rule(rule_id, station_id, "NeedIdentified", "urgent-need"),
        lead(first, station_id, district_id),
        lead(second, station_id, district_id),
    )
    household = Stream(unique("hh"), station_id)
    await spec.given(household(urgent_need()), household(urgent_need("need-2", severity="low")))
    rows = [tuple(r.values()) for r in await spec.rows(DELIVERIES, station_id)]
    assert rows == [
        (rule_id, who, "NeedIdentified", "inbox", "【紧急需求】福利路街道社工站")
        for who in sorted((first, second))
    ]


async def test_a_redelivered_or_rebuilt_event_plans_nothing_more(
    spec: ProjectionSpec, station: tuple[str, str], unique: Callable[[str], str]
) -> None:
    station_id, district_id = station
    rule_id = unique("rule")
    await in_step_of(
        spec.pool,
        rule(rule_id, station_id, "NeedIdentified", "urgent-need"),
        lead(unique("lead"), station_id, district_id),
    )
    need = Stream(unique("hh"), station_id)(urgent_need())
    await spec.given(need)
    await spec.given(need)  # redelivered: processed already
    async with ProjectionSpec.open(spec.pool, NotificationPlanner()) as rebuilt:
        await rebuilt.given(need)  # a rebuild's generation: the delivery's key is taken
    assert len(await spec.rows(DELIVERIES, station_id)) == 1


async def test_history_older_than_the_rule_plans_nothing(
    spec: ProjectionSpec, station: tuple[str, str], unique: Callable[[str], str]
) -> None:
    station_id, district_id = station
    defined = rule(unique("rule"), station_id, "NeedIdentified", "urgent-need")
    need = Stream(unique("hh"), station_id)(urgent_need())
    older = need.model_copy(update={"recorded_at": defined.recorded_at - timedelta(hours=1)})
    await in_step_of(spec.pool, defined, lead(unique("lead"), station_id, district_id))
    await spec.given(older)
    assert await spec.rows(DELIVERIES, station_id) == []


async def test_a_referral_sets_a_reminder_and_its_resolution_cancels_it(
    spec: ProjectionSpec, station: tuple[str, str], unique: Callable[[str], str]
) -> None:
    station_id, district_id = station
    rule_id, household = unique("rule"), Stream(unique("hh"), station_id)
    await in_step_of(
        spec.pool,
        rule(rule_id, station_id, "NeedReferred", "referral-pending", REFERRAL),
        lead(unique("lead"), station_id, district_id),
    )
    referred = NeedReferred(
        need_id="n-1",
        category="medical",
        severity="urgent",
        agency="区医保中心",
        agency_kind="health",
        referred_on=date(2024, 3, 20),
        lawful_basis="consent",
    )
    await spec.given(household(referred))
    key = f"{household.aggregate_id}-n-1"
    timers = [tuple(r.values()) for r in await spec.rows(TIMERS, station_id)]
    assert timers == [(key, "pending", date(2024, 3, 27))]
    resolved = NeedResolved(
        need_id="n-1",
        category="medical",
        severity="urgent",
        outcome="referral_served",
        resolved_on=date(2024, 3, 22),
    )
    await spec.given(household(resolved))
    timers = [tuple(r.values()) for r in await spec.rows(TIMERS, station_id)]
    assert timers == [(key, "cancelled", date(2024, 3, 27))]
    assert await spec.rows(DELIVERIES, station_id) == []  # the reminder is a timer, not yet sent

"""The reminder decider: a reminder's stream records that it was scheduled, once."""

from datetime import UTC, datetime

from shegong_events.notifications import ReminderScheduled
from shegong_notifications.domain.reminder import REMINDER, ScheduleReminder
from shegong_testing.decider import scenario

given = scenario(REMINDER, aggregate_id="r-1", station_id="chengguan-qingbaishi")
FIRE_AT = datetime(2024, 4, 22, 1, 0, tzinfo=UTC)
SCHEDULE = ScheduleReminder("r-1", "follow-up-due", "hh-1", "e-1", "FollowUpScheduled", FIRE_AT)
SCHEDULED = ReminderScheduled(
    reminder_id="r-1",
    rule_id="follow-up-due",
    subject_key="hh-1",
    source_event_id="e-1",
    source_event_type="FollowUpScheduled",
    fire_at=FIRE_AT,
)


def test_a_reminder_is_scheduled_for_its_firing_time():
    assert given().when(SCHEDULE).then(SCHEDULED).scheduled


def test_scheduling_a_reminder_again_records_nothing_new():
    given(SCHEDULED).when(SCHEDULE).then()

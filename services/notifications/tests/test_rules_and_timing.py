"""Pure rules of notifying: which events a rule takes, when a reminder fires, what it says."""

from datetime import UTC, date, datetime, timedelta

import pytest
from shegong_events import Envelope
from shegong_events.notifications import Audience, Condition, Reminder
from shegong_events.visits import NeedIdentified
from shegong_notifications.channels import webhook
from shegong_notifications.domain import matching, templates, timing
from shegong_notifications.domain.backoff import retry_delay
from shegong_notifications.domain.matching import Rule

T0 = datetime(2024, 3, 18, 2, 0, tzinfo=UTC)


def need(severity="urgent", station="chengguan-qingbaishi", recorded_at=T0 + timedelta(hours=1)):
    event = NeedIdentified(
        need_id="n-1", category="medical", severity=severity, identified_on=date(2024, 3, 18)
    )
    env = Envelope.wrap(event, aggregate_id="hh-1", station_id=station, actor="w-1", occurred_at=T0)
    return env.model_copy(update={"recorded_at": recorded_at})


def rule(**over):
    fields = {
        "rule_id": "r-1",
        "scope": "station",
        "scope_id": "chengguan-qingbaishi",
        "trigger": "NeedIdentified",
        "conditions": [Condition(field="severity", op="eq", value="urgent")],
        "audience": Audience(role="station_lead"),
        "channel": "inbox",
        "template_id": "urgent-need",
        "reminder": None,
        "created_at": T0,
    }
    return Rule(**{**fields, **over})


def test_a_rule_takes_matching_events_of_its_station_recorded_while_it_is_active():
    assert matching.applies(rule(), need(), None)
    assert not matching.applies(rule(), need(severity="high"), None)
    assert not matching.applies(rule(), need(station="xigu-fulilu"), None)
    assert not matching.applies(rule(trigger="VisitRecorded"), need(), None)


def test_history_recorded_before_a_rule_existed_or_after_it_stopped_is_not_its_business():
    assert not matching.applies(rule(created_at=T0 + timedelta(hours=2)), need(), None)
    assert not matching.applies(rule(disabled_at=T0 + timedelta(minutes=30)), need(), None)
    assert matching.applies(rule(disabled_at=T0 + timedelta(hours=2)), need(), None)


def test_a_district_rule_covers_the_stations_of_its_district_only():
    district = rule(scope="district", scope_id="chengguan")
    assert matching.applies(district, need(), "chengguan")
    assert not matching.applies(district, need(), "xigu")
    assert not matching.applies(district, need(), None)


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (Condition(field="severity", op="in", value=["high", "urgent"]), True),
        (Condition(field="severity", op="not_in", value=["high", "urgent"]), False),
        (Condition(field="severity", op="ne", value="urgent"), False),
        (Condition(field="member_id", op="missing"), True),
        (Condition(field="member_id", op="exists"), False),
        (Condition(field="identified_on", op="gte", value="2024-03-16"), True),
        (Condition(field="identified_on", op="lte", value="2024-03-16"), False),
        (Condition(field="nowhere", op="eq", value="x"), False),
    ],
)
def test_conditions_test_the_event_fields(condition, holds):
    assert matching.holds(condition, need().data) is holds


def test_conditions_on_list_fields_ask_whether_the_list_holds_the_value():
    data = {"social_worker_ids": ["w-1", "w-2"], "risks_observed": 3}
    assert matching.holds(Condition(field="social_worker_ids", op="eq", value="w-2"), data)
    assert matching.holds(Condition(field="social_worker_ids", op="in", value=["w-9", "w-1"]), data)
    assert matching.holds(Condition(field="risks_observed", op="gte", value=2), data)


def test_the_audience_field_names_the_people_an_event_points_at():
    by_worker = rule(audience=Audience(role="social_worker", match_field="social_worker_ids"))
    env = need().model_copy(update={"data": {**need().data, "social_worker_ids": ["w-1", "w-2"]}})
    assert matching.target(by_worker, env) == ["w-1", "w-2"]
    assert matching.target(by_worker, need()) == []
    assert matching.target(rule(audience=Audience(match_field="aggregate_id")), need()) == ["hh-1"]
    assert matching.target(rule(), need()) is None


def test_a_reminder_counts_from_a_date_field_at_a_local_hour():
    remind = Reminder(at_field="identified_on", offset_days=-1, at_time="09:00")
    assert timing.fire_at(remind, need()) == datetime(2024, 3, 17, 1, 0, tzinfo=UTC)  # 09:00 +08:00
    assert timing.due_at(remind, need()) == datetime(2024, 3, 18, 1, 0, tzinfo=UTC)


def test_a_reminder_without_a_field_counts_from_when_the_event_happened():
    assert timing.fire_at(Reminder(offset_days=7), need()) == T0 + timedelta(days=7)
    assert timing.fire_at(Reminder(at_field="nowhere"), need()) is None


def test_a_weekly_reminder_moves_on_to_the_next_such_weekday():
    monday = Reminder(
        at_field="identified_on", weekday=1, at_time="09:00"
    )  # identified Monday 18th
    assert timing.fire_at(monday, need()) == datetime(2024, 3, 25, 1, 0, tzinfo=UTC)
    friday = Reminder(at_field="identified_on", weekday=5, at_time="17:30")
    assert timing.fire_at(friday, need()) == datetime(2024, 3, 22, 9, 30, tzinfo=UTC)


def test_the_reminder_key_names_its_subject_from_the_event():
    assert timing.subject_key(Reminder(), need(), None) == "hh-1"
    assert timing.subject_key(Reminder(key="{need_id}"), need(), None) == "n-1"
    weekly = Reminder(at_field="identified_on", key="{district_id}-{week}")
    assert timing.subject_key(weekly, need(), "chengguan") == "chengguan-2024-W12"


def test_texts_show_ids_dates_and_the_station_never_sealed_values():
    env = need().model_copy(update={"data": {**need().data, "notes_sealed": "sealed:v1:abc"}})
    values = templates.context(env, "城关区青白石街道社工站", "城关区")
    title, body = templates.render("urgent-need", values)
    assert title == "【紧急需求】城关区青白石街道社工站"
    assert "2024-03-18" in body and "hh-1" in body
    assert "notes_sealed" not in values and "sealed:" not in body


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap():
    assert retry_delay(1, 2.0, 60.0, rand=lambda: 0.0) == 1.0
    assert retry_delay(1, 2.0, 60.0, rand=lambda: 1.0) == 2.0
    assert retry_delay(4, 2.0, 60.0, rand=lambda: 0.0) == 8.0
    assert retry_delay(20, 2.0, 60.0, rand=lambda: 1.0) == 60.0


def test_a_webhook_signature_binds_the_timestamp_and_the_body():
    stamp = str(int(datetime.now(UTC).timestamp()))
    signature = webhook.sign("s3cret-s3cret-s3cret", stamp, b'{"a":1}')
    assert webhook.verify("s3cret-s3cret-s3cret", stamp, b'{"a":1}', signature)
    assert not webhook.verify("s3cret-s3cret-s3cret", stamp, b'{"a":2}', signature)
    assert not webhook.verify("another-secret-value", stamp, b'{"a":1}', signature)
    old = str(int(stamp) - 3600)
    stale = webhook.sign("s3cret-s3cret-s3cret", old, b'{"a":1}')
    assert not webhook.verify("s3cret-s3cret-s3cret", old, b'{"a":1}', stale)

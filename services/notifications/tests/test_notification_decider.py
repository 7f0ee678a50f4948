"""The notification decider: attempts recorded as they happen, read once, redriven when dead."""

from datetime import UTC, datetime

from shegong_events.notifications import (
    NotificationFailed,
    NotificationRead,
    NotificationRedriven,
    NotificationSent,
)
from shegong_notifications.domain.notification import (
    NOTIFICATION,
    Attempt,
    MarkRead,
    NotificationNotDead,
    NotificationNotFound,
    RecordFailure,
    RecordSent,
    Redrive,
)
from shegong_testing.decider import scenario

given = scenario(NOTIFICATION, aggregate_id="d-1", station_id="chengguan-qingbaishi")
FIRST = Attempt("d-1", "urgent-lead", "lead-qbs", "webhook", 1)
LATER = datetime(2024, 4, 15, 4, 5, tzinfo=UTC)
SENT = NotificationSent(
    delivery_id="d-1",
    rule_id="urgent-lead",
    template_id="urgent-need",
    recipient_id="lead-qbs",
    channel="inbox",
    source_event_id="e-1",
    source_event_type="NeedIdentified",
    attempt=1,
    title="【紧急需求】青白石",
    body="……",
)
DEAD = NotificationFailed(
    delivery_id="d-1",
    rule_id="urgent-lead",
    recipient_id="lead-qbs",
    channel="webhook",
    attempt=5,
    reason="HTTP 500",
    dead=True,
)


def test_a_sent_attempt_is_recorded_with_what_was_said():
    attempt = Attempt("d-1", "urgent-lead", "lead-qbs", "inbox", 1)
    command = RecordSent(
        attempt, "urgent-need", "e-1", "NeedIdentified", "【紧急需求】青白石", "……"
    )
    assert given().when(command).then(SENT).sent


def test_a_failed_attempt_is_retried_later_unless_it_is_dead():
    retried = (
        given()
        .when(RecordFailure(FIRST, "HTTP 500", dead=False, next_attempt_at=LATER))
        .then(
            NotificationFailed(
                delivery_id="d-1",
                rule_id="urgent-lead",
                recipient_id="lead-qbs",
                channel="webhook",
                attempt=1,
                reason="HTTP 500",
                next_attempt_at=LATER,
            )
        )
    )
    assert not retried.dead
    dead = (
        given()
        .when(RecordFailure(FIRST, "HTTP 410", dead=True, next_attempt_at=LATER))
        .then(
            NotificationFailed(
                delivery_id="d-1",
                rule_id="urgent-lead",
                recipient_id="lead-qbs",
                channel="webhook",
                attempt=1,
                reason="HTTP 410",
                dead=True,
            )
        )
    )
    assert dead.dead


def test_the_addressee_reads_a_sent_notification_once():
    assert (
        given(SENT)
        .when(MarkRead("d-1", "lead-qbs"))
        .then(NotificationRead(delivery_id="d-1", recipient_id="lead-qbs"))
        .read
    )
    given(SENT, NotificationRead(delivery_id="d-1", recipient_id="lead-qbs")).when(
        MarkRead("d-1", "lead-qbs")
    ).then()
    given().when(MarkRead("d-1", "lead-qbs")).raises(NotificationNotFound)


def test_only_a_dead_notification_is_redriven():
    state = given(DEAD).when(Redrive("d-1")).then(NotificationRedriven(delivery_id="d-1"))
    assert not state.dead
    given(DEAD, NotificationRedriven(delivery_id="d-1"), SENT).when(Redrive("d-1")).raises(
        NotificationNotDead
    )
    given().when(Redrive("d-1")).raises(NotificationNotDead)

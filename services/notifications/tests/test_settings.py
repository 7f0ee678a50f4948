"""The service's own settings: SHEGONG_NOTIFICATIONS_*, and the older SHEGONG_NOTIFY_* below it."""

from shegong_notifications.config import NotificationsSettings


def test_the_older_prefix_still_sets_a_value(monkeypatch):
    monkeypatch.setenv("SHEGONG_NOTIFY_MAX_ATTEMPTS", "3")
    assert NotificationsSettings().max_attempts == 3


def test_the_service_prefix_wins_over_the_older_one(monkeypatch):
    monkeypatch.setenv("SHEGONG_NOTIFY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("SHEGONG_NOTIFICATIONS_MAX_ATTEMPTS", "4")
    assert NotificationsSettings().max_attempts == 4

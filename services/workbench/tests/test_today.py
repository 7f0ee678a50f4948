"""The day's visit list: overdue and due today, each by risk tier, at the station's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from shegong_workbench.today import end_of_today, split_visits


def row(hid: str, tier: str, due: str) -> dict:
    return {"household_id": hid, "risk_tier": tier, "next_due_at": due}


def test_visits_split_into_overdue_and_due_today_by_tier():
    now = datetime(2024, 3, 22, 2, 0, tzinfo=UTC)  # 10:00 in Lanzhou
    rows = [
        row("a", "high", "2024-03-20T01:00:00+00:00"),
        row("b", "general", "2024-03-22T01:59:00+00:00"),
        row("c", "key", "2024-03-22T08:00:00+00:00"),
    ]
    split = split_visits(rows, now)
    assert [r["household_id"] for r in split["overdue"]["high"]] == ["a"]
    assert [r["household_id"] for r in split["overdue"]["general"]] == ["b"]
    assert [r["household_id"] for r in split["today"]["key"]] == ["c"]
    assert list(split["today"]) == ["high", "key", "general"]


def test_the_day_ends_at_midnight_in_lanzhou_not_in_utc():
    late_evening = datetime(2024, 3, 22, 15, 30, tzinfo=UTC)  # 23:30 in Lanzhou
    assert end_of_today(late_evening).isoformat() == "2024-03-23T00:00:00+08:00"
    after_midnight = datetime(2024, 3, 22, 16, 30, tzinfo=UTC)  # 00:30 the next day
    assert end_of_today(after_midnight).isoformat() == "2024-03-24T00:00:00+08:00"

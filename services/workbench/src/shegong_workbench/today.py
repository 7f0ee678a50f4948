"""The lists that start a worker's day, from the services' read APIs.

Visits: households whose next visit falls before tomorrow at the station, split into overdue
(already past) and due today, each by risk tier (高风险 first). Needs: open and referred, by
severity. Action items of meetings: open, the overdue first.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from shegong_events.calendar import STATION_TZ

from shegong_workbench.upstream import Upstreams

TIERS = ("high", "key", "general")
SEVERITIES = ("urgent", "high", "medium", "low")


def end_of_today(now: datetime) -> datetime:
    local = now.astimezone(STATION_TZ)
    return datetime.combine(local.date() + timedelta(days=1), time(0), STATION_TZ)


def split_visits(rows: list[dict[str, Any]], now: datetime) -> dict[str, dict[str, list]]:
    """{"overdue": {tier: rows}, "today": {tier: rows}}, tiers in order, empty ones kept."""
    out: dict[str, dict[str, list]] = {
        "overdue": {t: [] for t in TIERS},
        "today": {t: [] for t in TIERS},
    }
    for r in rows:
        due = datetime.fromisoformat(r["next_due_at"])
        out["overdue" if due < now else "today"][r["risk_tier"]].append(r)
    return out


async def lists(up: Upstreams, token: str, now: datetime) -> dict[str, Any]:
    visits = await up.get("visits", "/visits/overdue", token, as_of=end_of_today(now).isoformat())
    needs = await up.get("visits", "/needs/open", token)
    actions = await up.get("engagement", "/action-items", token, status="open")
    return {
        "visits": split_visits(visits["items"], now),
        "needs": {"by_severity": needs["by_severity"], "needs": needs["items"]},
        "actions": actions["items"],
        "tiers": TIERS,
        "severities": SEVERITIES,
    }

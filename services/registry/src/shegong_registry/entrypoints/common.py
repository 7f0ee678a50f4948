"""What every registry route shares: the caller's station scope, and when things happened."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field
from shegong_runtime.auth import Principal, Role
from shegong_runtime.inputs import RequestModel
from shegong_runtime.service import Runtime

CHINA = ZoneInfo("Asia/Shanghai")
ID = r"^[a-z0-9][a-z0-9\-]{1,62}$"
STATION_WRITERS = (Role.social_worker, Role.station_lead, Role.district_officer, Role.city_admin)
REVIEWERS = (
    Role.station_lead,
    Role.district_officer,
    Role.city_admin,
)  # return, approve, deregister


class Body(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Dated(Body):
    occurred_at: datetime | None = Field(
        default=None,
        description="when it happened; a date or a time without zone is China time (UTC+8)",
    )


class Step(Dated):
    """A step on an existing aggregate: when it happened, and optionally the version it follows."""

    expected_version: int | None = Field(
        default=None, ge=1, description="refuse with 409 if the version moved"
    )


def when(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=CHINA)
    return value


async def writable(rt: Runtime, who: Principal, station_id: str) -> None:
    """A write needs a station the registry has opened (422) inside the caller's scope (403)."""
    await rt.stations.require(station_id)
    who.require_station(station_id, rt.stations.district_of)


async def readable(rt: Runtime, who: Principal, station_id: str) -> None:
    if rt.stations.district_of(station_id) is None:
        await rt.stations.refresh()
    who.require_station(station_id, rt.stations.district_of)

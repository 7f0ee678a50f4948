"""What every engagement route shares: scope checks, the settings, generated ids."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from shegong_events import new_event_id
from shegong_runtime.auth import READERS, WRITERS, Principal, Role, requires
from shegong_runtime.service import Runtime, runtime

from shegong_engagement.config import EngagementConfig

write_access = requires(*WRITERS)
read_access = requires(*READERS)
certify_access = requires(Role.station_lead, Role.district_officer, Role.city_admin)
PERSONAL_DATA_ROLES = WRITERS  # integrators read without names and phones


async def for_write(request: Request, who: Principal, station_id: str) -> Runtime:
    """A known station (else 422 UnknownStation) within the caller's scope (else 403)."""
    rt = runtime(request)
    await rt.stations.require(station_id)
    who.require_station(station_id, rt.stations.district_of)
    return rt


async def for_read(request: Request, who: Principal, station_id: str | None) -> Runtime:
    rt = runtime(request)
    await rt.stations.refresh()
    if station_id is not None:
        who.require_station(station_id, rt.stations.district_of)
    return rt


def visible(rt: Runtime, who: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if who.can_see(r["station_id"], rt.stations.district_of)]


def config(rt: Runtime) -> EngagementConfig:
    return rt.extras["config"]


def new_id(prefix: str) -> str:
    return f"{prefix}-{new_event_id().hex}"

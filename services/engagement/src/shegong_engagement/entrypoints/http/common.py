"""What every engagement route shares: scope checks, the settings, generated ids, answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from shegong_events import Envelope, new_event_id
from shegong_runtime.auth import READERS, WRITERS, Principal, Role, requires
from shegong_runtime.commands import Answer
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


def answered(
    status: int, id_field: str, **extra: Callable[[list[Envelope]], Any]
) -> Callable[..., Answer]:
    """The answer to a command: the aggregate id, its new version, and any extras from the events."""

    def respond(events: list[Envelope], _state: object) -> Answer:
        body: dict[str, Any] = {
            id_field: events[0].aggregate_id if events else None,
            "version": events[-1].aggregate_version if events else None,
            "events": [e.event_type for e in events],
        }
        body.update({k: pick(events) for k, pick in extra.items()})
        return Answer(status, body)

    return respond


def last_data(key: str) -> Callable[[list[Envelope]], Any]:
    return lambda events: events[-1].data.get(key) if events else None

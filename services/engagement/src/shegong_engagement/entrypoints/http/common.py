"""What every engagement route shares: who may call it, the scope checks (the kit's), and which
rows a caller may see."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from shegong_events.calendar import at_noon
from shegong_runtime.auth import READERS, WRITERS, Principal, Role, requires
from shegong_runtime.service import Runtime, runtime

write_access = requires(*WRITERS)
read_access = requires(*READERS)
certify_access = requires(Role.station_lead, Role.district_officer, Role.city_admin)
PERSONAL_DATA_ROLES = WRITERS  # integrators read without names and phones


async def for_write(request: Request, who: Principal, station_id: str) -> Runtime:
    """A known station (else 422 UnknownStation) the caller may write for (else 403)."""
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    return rt


async def for_read(request: Request, who: Principal, station_id: str | None) -> Runtime:
    """A named station must be known and within scope; a list without one is filtered by
    `visible`."""
    rt = runtime(request)
    if station_id is None:
        await rt.stations.refresh()
    else:
        await rt.stations.check_read(who, station_id)
    return rt


def visible(rt: Runtime, who: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if who.can_see(r["station_id"], rt.stations.district_of)]


def occurred_on(day: date | None) -> datetime | None:
    """When a command says its fact happened: noon of that day at the station; now if it does not say."""
    return at_noon(day) if day else None

"""What every engagement route shares: who may call it, the scope of a listing (the kit's
checks), and when a command's fact happened."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request
from shegong_events.calendar import at_noon
from shegong_runtime.auth import READERS, WRITERS, Principal, Role, requires
from shegong_runtime.http import CommandRequest, command_request
from shegong_runtime.service import Runtime, runtime

read_access = requires(*READERS)
Writing = Annotated[CommandRequest, Depends(command_request(*WRITERS))]
"""A command of station staff and bureaus, for the station of the path."""
Certifying = Annotated[
    CommandRequest,
    Depends(command_request(Role.station_lead, Role.district_officer, Role.city_admin)),
]
PERSONAL_DATA_ROLES = WRITERS  # integrators read without names and phones


async def for_read(request: Request, who: Principal, station_id: str | None) -> Runtime:
    """A named station must be known and within scope; a list without one is filtered by
    `rt.stations.visible`."""
    rt = runtime(request)
    if station_id is not None:
        await rt.stations.check_read(who, station_id)
    return rt


def occurred_on(day: date | None) -> datetime | None:
    """When a command says its fact happened: noon of that day at the station; now if it does not say."""
    return at_noon(day) if day else None

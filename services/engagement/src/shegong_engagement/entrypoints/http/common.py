"""What every engagement route shares: the scope of a listing (the kit's checks), when a
command's fact happened, and the OpenAPI links of command answers to their readings."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import Request
from shegong_events.calendar import at_noon
from shegong_runtime import openapi
from shegong_runtime.auth import Principal
from shegong_runtime.service import Runtime, runtime

AT_STATION = "$request.path.station_id"
MEETING = openapi.link(
    "meeting_detail", station_id=AT_STATION, meeting_id="$response.body#/meeting_id"
)
VOLUNTEER = openapi.link(
    "volunteer_detail", station_id=AT_STATION, volunteer_id="$response.body#/volunteer_id"
)


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

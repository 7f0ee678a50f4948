"""What every engagement route shares: the order of a command on a meeting or a volunteer, the
scope of a listing (the kit's checks), when a command's fact happened, and the OpenAPI links
of command answers to their readings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from shegong_events.calendar import at_noon
from shegong_runtime import openapi
from shegong_runtime.auth import Principal
from shegong_runtime.commands import Order, Respond
from shegong_runtime.service import Runtime, runtime

from shegong_engagement.domain.meeting import MEETING
from shegong_engagement.domain.volunteer import VOLUNTEER

AT_STATION = "$request.path.station_id"
MEETING_LINK = openapi.link(
    "meeting_detail", station_id=AT_STATION, meeting_id="$response.body#/meeting_id"
)
VOLUNTEER_LINK = openapi.link(
    "volunteer_detail", station_id=AT_STATION, volunteer_id="$response.body#/volunteer_id"
)


def meeting(
    station_id: str, meeting_id: str, command: Any, respond: Respond, **more: Any
) -> Order[Any, Any]:
    """An order on a meeting, in the scope of the station in the path (the decider answers 404
    when the meeting is not that station's); `command` may be a build `(state, seal)`."""
    return Order(MEETING, meeting_id, command, respond, station_id=station_id, **more)


def volunteer(
    station_id: str, volunteer_id: str, command: Any, respond: Respond, **more: Any
) -> Order[Any, Any]:
    """An order on a volunteer, in the scope of the station in the path."""
    return Order(VOLUNTEER, volunteer_id, command, respond, station_id=station_id, **more)


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

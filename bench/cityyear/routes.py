"""The read routes of every service, from their OpenAPI documents, with values from the year.

Derived, not listed: a route added, or a list that starts paging (`{"items": [...], "next":
...}` and a `Link: <...>; rel="next"` header), is read the same way."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx

from cityyear.plan import stations

SKIP = {"/healthz", "/readyz", "/metrics"}


async def real_ids(database_url: str, station_count: int) -> dict[str, Any]:
    """Path and query values from the generated year: its first station and district, that
    station's busiest household, a held meeting, a volunteer and an organisation, its lead in
    the notifications directory, a rule of the station and a delivery the planner planned
    there (once the year is loaded)."""
    first = stations(station_count)[0]
    conn = await asyncpg.connect(database_url)
    try:

        async def one(sql: str) -> str | None:
            return await conn.fetchval(sql, first.station_id)

        household = await one(
            "SELECT aggregate_id FROM visits.events WHERE station_id = $1 "
            "GROUP BY aggregate_id ORDER BY count(*) DESC LIMIT 1"
        )
        meeting = await one(
            "SELECT aggregate_id FROM engagement.events WHERE station_id = $1 "
            "AND event_type = 'MeetingHeld' LIMIT 1"
        )
        volunteer = await one(
            "SELECT aggregate_id FROM engagement.events WHERE station_id = $1 "
            "AND event_type = 'VolunteerEnrolled' LIMIT 1"
        )
        organisation = await one(
            "SELECT aggregate_id FROM registry.events WHERE station_id = $1 "
            "AND event_type = 'OrgFiled' LIMIT 1"
        )
        lead = await one(
            "SELECT aggregate_id FROM notifications.events WHERE station_id = $1 "
            "AND event_type = 'RecipientRegistered' "
            "AND envelope::jsonb -> 'data' ->> 'role' = 'station_lead' LIMIT 1"
        )
        rule = await one(
            "SELECT aggregate_id FROM notifications.events WHERE station_id = $1 "
            "AND event_type = 'RuleDefined' ORDER BY position LIMIT 1"
        )
        delivery = await one(
            "SELECT delivery_id::text FROM notifications.deliveries WHERE station_id = $1 "
            "ORDER BY planned_at DESC, delivery_id DESC LIMIT 1"
        )
    finally:
        await conn.close()
    return {
        "station_id": first.station_id,
        "district_id": first.district_id,
        "district": first.district_id,
        "household_id": household,
        "meeting_id": meeting,
        "volunteer_id": volunteer,
        "organisation_id": organisation,
        "recipient_id": lead,
        "rule_id": rule,
        "delivery_id": delivery,
        "older_than_days": 30,
    }


def reads(app: Any, ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(route, path, query) for every GET of the app's OpenAPI, filled from `ids`: path
    parameters always (a made-up id where the year has none), query parameters when the
    year has a value for them (the station, its district)."""
    out = []
    for route, operations in app.openapi()["paths"].items():
        if "get" not in operations or route in SKIP:
            continue
        path, query = route, {}
        for p in operations["get"].get("parameters", []):
            name, where = p["name"], p["in"]
            if where == "path":
                path = path.replace("{" + name + "}", str(ids.get(name, f"none-{name}")))
            elif where == "query" and name in ids:
                query[name] = ids[name]
        out.append((route, path, query))
    return out


def next_page(response: httpx.Response) -> str | None:
    """The next page's URL from a `Link: <...>; rel="next"` header, if the route pages."""
    match = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("link", ""))
    return match.group(1) if match else None

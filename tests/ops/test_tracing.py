"""Traces: one trace per correlation id, from the HTTP command through the append, the relay and
the projections, with no personal data in any span."""

from __future__ import annotations

import uuid

from shegong_runtime import catalogue, tracing
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, service_client

STATION = {
    "name": "追踪街道社工站",
    "city": "兰州市",
    "district_id": "chengguan",
    "district_name": "城关区",
    "street": "追踪街道",
    "kind": "street",
    "lead": "赵站长",
    "contact": "13912345678",
}


async def test_a_command_its_append_relay_and_projections_share_the_trace_named_by_its_correlation_id(
    database_url, nats_url
):
    registry = catalogue.service("registry")
    correlation = uuid.uuid4()
    station_id = f"trace-{correlation.hex[:8]}"
    async with service_client(registry, database_url, nats_url, tracing="memory") as client:
        headers = {
            **bearer(client.app.state.settings, "city_admin"),
            "X-Correlation-Id": str(correlation),
        }
        r = await client.post(
            "/stations", json={"station_id": station_id, **STATION}, headers=headers
        )
        assert r.status_code == 201, r.text

        def spans_of_the_trace():
            mine = [s for s in tracing.recorded() if s.context.trace_id == correlation.int]
            names = {s.name for s in mine}
            wanted = (
                "POST /stations",
                "decide station",
                "append station",
                "relay.published",
                "projection.applied",
            )
            return mine if all(any(n.startswith(w) for n in names) for w in wanted) else None

        spans = await eventually(spans_of_the_trace)

    by_name = {s.name: s for s in spans}
    request = by_name["POST /stations"]
    assert request.attributes["shegong.correlation_id"] == str(correlation)
    assert request.attributes["http.response.status_code"] == 201
    parent_of = {s.context.span_id: s.parent.span_id for s in spans if s.parent}
    for inner in ("decide station", "append station"):
        ancestors, at = [], by_name[inner].context.span_id
        while at in parent_of:
            at = parent_of[at]
            ancestors.append(at)
        assert request.context.span_id in ancestors, inner  # inside the request's span
    projected = [s for s in spans if s.name.startswith("projection.applied")]
    assert {s.attributes["shegong.event_type"] for s in projected} == {"StationOpened"}
    text = repr([dict(s.attributes) for s in spans]) + repr([s.name for s in spans])
    for personal in ("赵站长", "13912345678"):
        assert personal not in text

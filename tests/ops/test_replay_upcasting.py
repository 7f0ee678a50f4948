"""Replay decodes history as it is today: old versions upcast on the way, undecodable messages
reported instead of stopping the replay."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from shegong_events import CATALOG, DomainEvent, Envelope
from shegong_runtime import bus
from shegong_runtime.ops.replay import Replay, Selection, Start, export
from shegong_testing.http import settings_for


@pytest.fixture(autouse=True)
def restored_catalog():
    """These tests register event types of their own; the catalog is put back afterwards."""
    saved = {name: dict(value) for name, value in vars(CATALOG).items()}
    yield
    vars(CATALOG).update(saved)


def two_versions(suffix: str):
    """An event type whose v1 named the visitor `worker`, and whose v2 calls it `visited_by`."""

    class NotedV1(DomainEvent):
        event_type, schema_version, domain, aggregate_type = (
            f"Noted{suffix}",
            1,
            f"opsreplay{suffix}",
            "note",
        )
        worker: str

    class NotedV2(DomainEvent):
        event_type, schema_version, domain, aggregate_type = (
            f"Noted{suffix}",
            2,
            f"opsreplay{suffix}",
            "note",
        )
        visited_by: str
        visits: int

    CATALOG.register(NotedV1)
    CATALOG.register(NotedV2)
    CATALOG.upcaster(f"Noted{suffix}", 1)(lambda d: {"visited_by": d["worker"], "visits": 1})
    return NotedV1


async def test_replay_upcasts_old_versions_and_reports_what_does_not_decode(
    nc, database_url, nats_url
):
    suffix = uuid.uuid4().hex[:8]
    old_model = two_versions(suffix)
    domain = old_model.domain
    js = nc.jetstream()
    await bus.ensure_domain_streams(
        js, [domain], settings_for(database_url, nats_url, "ops-replay")
    )
    old = Envelope.wrap(
        old_model(worker="sw-17"), aggregate_id="n-1", station_id="xigu-fulilu", actor="test"
    )
    await js.publish(
        f"sw.{domain}.xigu-fulilu.{old.event_type}.n-1", old.model_dump_json().encode()
    )
    await js.publish(f"sw.{domain}.xigu-fulilu.Unheard.n-2", b'{"event_type": "Unheard"}')

    replay = Replay(js, Selection(domains=(domain,)), Start(seq=1))
    assert await replay.open() == 2
    out = io.StringIO()
    await export(replay, out)
    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert (line["event_id"], line["schema_version"]) == (str(old.event_id), 2)
    assert line["data"] == {"visited_by": "sw-17", "visits": 1}
    assert replay.report.delivered == 1 and len(replay.report.skipped) == 1
    assert replay.report.skipped[0].startswith(f"SW_{domain.upper()}:2 ")


async def test_replay_by_event_type_finds_its_domain_and_leaves_other_types_out(
    nc, database_url, nats_url
):
    suffix = uuid.uuid4().hex[:8]
    old_model = two_versions(suffix)
    js = nc.jetstream()
    await bus.ensure_domain_streams(
        js, [old_model.domain], settings_for(database_url, nats_url, "ops-replay")
    )
    wanted = Envelope.wrap(
        old_model(worker="sw-1"), aggregate_id="n-1", station_id="xigu-fulilu", actor="test"
    )
    await js.publish(
        f"sw.{old_model.domain}.xigu-fulilu.{wanted.event_type}.n-1",
        wanted.model_dump_json().encode(),
    )
    await js.publish(f"sw.{old_model.domain}.xigu-fulilu.Other.n-2", b"{}")

    replay = Replay(js, Selection(event_types=(wanted.event_type,)))
    assert await replay.open() == 1
    out = io.StringIO()
    await export(replay, out)
    assert [json.loads(t)["event_id"] for t in out.getvalue().splitlines()] == [
        str(wanted.event_id)
    ]
    assert replay.report.skipped == []

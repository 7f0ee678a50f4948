"""The example subscriber: its handler with FastStream's in-memory broker, then delivery and
redelivery of the demo week's events by a real nats-server."""

import json
import uuid
from datetime import date

from faststream.nats import NatsBroker, NatsRouter, TestNatsBroker
from shegong_events import Envelope
from shegong_events.decoding import Delivered, decode
from shegong_events.subjects import subject_for
from shegong_events.subscriber import shegong_subscriber
from shegong_events.visits import NeedIdentified, NeedReferred
from shegong_runtime import bus
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually

from .. import app

HCZ = "chengguan-huochezhan"  # 火车站街道社工站: the demo week's urgent financial need


def need(household: str, need_id: str, severity: str = "urgent") -> Envelope:
    return Envelope.wrap(
        NeedIdentified(
            need_id=need_id,
            category="financial",
            severity=severity,
            identified_on=date(2024, 3, 21),
        ),
        aggregate_id=household,
        station_id=HCZ,
        actor="sw-hcz-01",
    )


def referral(household: str, need_id: str) -> Envelope:
    return Envelope.wrap(
        NeedReferred(
            need_id=need_id,
            category="financial",
            severity="urgent",
            agency="街道民政办",
            agency_kind="civil_affairs",
            referred_on=date(2024, 3, 22),
            lawful_basis="consent",
        ),
        aggregate_id=household,
        station_id=HCZ,
        actor="sw-hcz-01",
    )


def test_decode_gives_the_typed_event_and_passes_an_unknown_type_through():
    delivered = decode(need("demo-hcz-03", "need-1").model_dump_json())
    assert isinstance(delivered.event, NeedIdentified) and delivered.event.severity == "urgent"
    raw = need("demo-hcz-03", "need-2").model_dump(mode="json") | {"event_type": "NeedForecast"}
    passed = decode(raw)
    assert passed.event is None and passed.envelope.event_type == "NeedForecast"


async def test_the_handler_keeps_urgent_needs_until_referred():
    app.waiting.clear()
    async with TestNatsBroker(app.broker()) as br:
        found = need("demo-hcz-03", f"need-{uuid.uuid4().hex[:6]}")
        await br.publish(found.model_dump_json(), subject_for(found, "visits"))
        minor = need("demo-hcz-02", "need-minor", severity="medium")
        await br.publish(minor.model_dump_json(), subject_for(minor, "visits"))
        assert list(app.waiting[HCZ]) == [found.data["need_id"]]
        referred = referral("demo-hcz-03", found.data["need_id"])
        await br.publish(referred.model_dump_json(), subject_for(referred, "visits"))
        assert app.waiting[HCZ] == {}


async def test_a_real_server_delivers_typed_events_and_redelivers_after_a_failure(nats_url):
    settings = Settings(nats_url=nats_url)
    nc = await bus.connect(settings, "example-test")
    try:
        await bus.ensure_domain_streams(nc.jetstream(), ["visits"], settings)
        household = f"demo-hcz-{uuid.uuid4().hex[:6]}"
        events = [
            need(household, "need-a"),
            referral(household, "need-a"),
            need(household, "need-b"),
        ]
        future = need(household, "need-c").model_dump(mode="json") | {"event_type": "NeedForecast"}
        for env in events:
            await bus.publish_event(
                nc.jetstream(),
                subject_for(env, "visits"),
                env.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(env.event_id)},
            )
        await nc.jetstream().publish(
            f"sw.visits.{HCZ}.NeedForecast.{household}", json.dumps(future).encode()
        )
    finally:
        await nc.close()

    seen: list[Delivered] = []
    attempts: dict[str, int] = {}
    router = NatsRouter()

    @shegong_subscriber(
        router, domain="visits", durable=f"example-{uuid.uuid4().hex[:6]}", aggregate_id=household
    )
    async def flaky(delivered: Delivered) -> None:
        key = str(delivered.envelope.event_id)
        attempts[key] = attempts.get(key, 0) + 1
        if isinstance(delivered.event, NeedReferred) and attempts[key] == 1:
            raise RuntimeError("the duty desk is briefly unavailable")  # asks for redelivery
        seen.append(delivered)

    broker = NatsBroker(nats_url.split(","))
    broker.include_router(router)
    async with broker:
        await broker.start()
        await eventually(lambda: len({str(d.envelope.event_id) for d in seen}) == 4, timeout=60)
    types = [type(d.event).__name__ if d.event else d.envelope.event_type for d in seen]
    assert sorted(types) == ["NeedForecast", "NeedIdentified", "NeedIdentified", "NeedReferred"]
    referred_id = str(events[1].event_id)
    assert attempts[referred_id] == 2  # failed once, delivered again, then acknowledged

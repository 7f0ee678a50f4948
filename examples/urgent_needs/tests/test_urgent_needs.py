"""The example subscriber: its handler with FastStream's in-memory broker, then delivery and
redelivery by a real nats-server with the project's authorization, connected as the
integrator exactly as the example's docstring says (conftest.py)."""

import json
import uuid
from collections.abc import Sequence
from datetime import date

import pytest
from faststream.nats import NatsBroker, NatsRouter, TestNatsBroker
from shegong_events import Envelope
from shegong_events.connection import ConnectionNotConfigured
from shegong_events.decoding import Delivered, decode
from shegong_events.subjects import subject_for
from shegong_events.subscriber import nats_broker, shegong_subscriber
from shegong_events.visits import NeedIdentified, NeedReferred, Severity
from shegong_runtime import bus
from shegong_testing.fixtures import eventually

HCZ = "chengguan-huochezhan"  # 火车站街道社工站: the demo week's urgent financial need


def need(household: str, need_id: str, severity: Severity = "urgent") -> Envelope:
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


async def publish(secured, envelopes: list[Envelope], raw: Sequence[tuple[str, dict]] = ()) -> None:
    """As the visits service's relay would: its own NATS user, its own domain's subjects."""
    nc = await secured.connect("visits")
    try:
        js = nc.jetstream()
        for env in envelopes:
            await bus.publish_event(
                js,
                subject_for(env, "visits"),
                env.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(env.event_id)},
            )
        for subject, body in raw:
            await js.publish(subject, json.dumps(body).encode())
    finally:
        await nc.close()


async def test_the_handler_keeps_urgent_needs_until_referred(example):
    async with TestNatsBroker(example.broker()) as br:
        found = need("demo-hcz-03", f"need-{uuid.uuid4().hex[:6]}")
        await br.publish(found.model_dump_json(), subject_for(found, "visits"))
        minor = need("demo-hcz-02", "need-minor", severity="medium")
        await br.publish(minor.model_dump_json(), subject_for(minor, "visits"))
        assert list(example.waiting[HCZ]) == [found.data["need_id"]]
        referred = referral("demo-hcz-03", found.data["need_id"])
        await br.publish(referred.model_dump_json(), subject_for(referred, "visits"))
        assert example.waiting[HCZ] == {}


async def test_the_example_as_the_integrator_keeps_the_urgent_needs_of_the_stream(
    example, integrator
):
    """The example's own broker and durable consumer, built as `faststream run` builds them."""
    household = f"demo-hcz-{uuid.uuid4().hex[:6]}"
    waiting, referred = f"need-{uuid.uuid4().hex[:6]}", f"need-{uuid.uuid4().hex[:6]}"
    await publish(
        integrator,
        [need(household, waiting), need(household, referred), referral(household, referred)],
    )
    broker = example.broker()
    async with broker:
        await broker.start()
        await eventually(lambda: waiting in example.waiting[HCZ], timeout=60)
        await eventually(lambda: referred not in example.waiting[HCZ], timeout=10)
    assert example.waiting[HCZ][waiting] == "financial"


async def test_a_real_server_delivers_typed_events_and_redelivers_after_a_failure(integrator):
    household = f"demo-hcz-{uuid.uuid4().hex[:6]}"
    events = [need(household, "need-a"), referral(household, "need-a"), need(household, "need-b")]
    future = need(household, "need-c").model_dump(mode="json") | {"event_type": "NeedForecast"}
    await publish(integrator, events, [(f"sw.visits.{HCZ}.NeedForecast.{household}", future)])

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

    broker = nats_broker()  # NATS_URL, SHEGONG_NATS_USER=integrator, SHEGONG_NATS_PASSWORD
    broker.include_router(router)
    async with broker:
        await broker.start()
        await eventually(lambda: len({str(d.envelope.event_id) for d in seen}) == 4, timeout=60)
    types = [type(d.event).__name__ if d.event else d.envelope.event_type for d in seen]
    assert sorted(types) == ["NeedForecast", "NeedIdentified", "NeedIdentified", "NeedReferred"]
    referred_id = str(events[1].event_id)
    assert attempts[referred_id] == 2  # failed once, delivered again, then acknowledged


async def test_the_server_refuses_anyone_without_a_user(secured):
    """The negative control: these tests pass only because the helper brings the credentials."""
    anonymous = NatsBroker(secured.url, max_reconnect_attempts=0, connect_timeout=2)
    with pytest.raises(Exception, match="(?i)authorization"):
        await anonymous.connect()
    await anonymous.stop()


def test_without_a_password_the_example_says_which_variable_is_missing(integrator, monkeypatch):
    monkeypatch.delenv("SHEGONG_NATS_PASSWORD")
    with pytest.raises(ConnectionNotConfigured, match="SHEGONG_NATS_PASSWORD"):
        nats_broker()

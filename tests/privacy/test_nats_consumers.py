"""Guarantee 9, on NATS consumers and streams: an integrator may not touch a service's
consumers, and a service may not touch another service's consumers or change its streams.

Each test runs a real nats-server from the pinned wheel with the generated configuration.
A refused JetStream API call is never answered, so the client times out.
"""

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig
from shegong_runtime import bus, nats_auth
from shegong_runtime.embedded import EmbeddedNats
from shegong_runtime.settings import Settings

BOARD = bus.consumer_name(
    "stations_board", 1, "visits.p0"
)  # the stations board's, of a visits partition


class Secured:
    def __init__(self, server: EmbeddedNats, passwords: dict[str, str]):
        self.server, self.passwords = server, passwords

    async def connect(self, user: str):
        settings = Settings(
            nats_url=self.server.url, nats_user=user, nats_password=self.passwords[user]
        )
        return await bus.connect(settings, f"test-{user}")


@pytest.fixture
async def secured(tmp_path):
    config, passwords = nats_auth.write_config(tmp_path / "nats", nats_auth.SERVICES)
    server = EmbeddedNats(tmp_path / "nats", config=config).start()
    try:
        secured = Secured(server, passwords)
        nc = await secured.connect(nats_auth.OPERATOR)
        try:
            await bus.ensure_domain_streams(
                nc.jetstream(), ["registry", "visits", "engagement"], Settings()
            )
            await nc.jetstream().publish("sw.visits.st1.VisitRecorded.h1", b"{}")
        finally:
            await nc.close()
        yield secured
    finally:
        server.stop()


def durable(name: str, subject: str = "sw.visits.>") -> ConsumerConfig:
    return ConsumerConfig(durable_name=name, ack_policy=AckPolicy.EXPLICIT, filter_subject=subject)


@pytest.fixture
async def board(secured):
    """The stations service's own consumer on the visits stream, created by the stations user."""
    nc = await secured.connect("stations")
    try:
        await nc.jetstream().add_consumer("SW_VISITS", durable(BOARD))
    finally:
        await nc.close()
    return BOARD


async def still_there(secured, name: str, stream: str = "SW_VISITS") -> bool:
    nc = await secured.connect(nats_auth.OPERATOR)
    try:
        info = await nc.jetstream().consumer_info(stream, name)
        return info.name == name and info.num_pending == 1
    finally:
        await nc.close()


async def refused(secured, user: str, call) -> bool:
    """True when the server refuses `call(js)` (no answer), on a fresh connection of `user`."""
    nc = await secured.connect(user)
    try:
        with pytest.raises(nats.errors.TimeoutError):
            await call(nc.jetstream(timeout=1))
        return True
    finally:
        await nc.close()


async def fetch_one(js, stream: str, name: str):
    sub = await js.pull_subscribe_bind(durable=name, stream=stream)
    return await sub.fetch(1, timeout=1)


async def test_the_integrator_cannot_delete_a_services_consumer(secured, board):
    assert await refused(
        secured, nats_auth.INTEGRATOR, lambda js: js.delete_consumer("SW_VISITS", board)
    )
    assert await still_there(secured, board)


async def test_the_integrator_cannot_fetch_from_a_services_consumer(secured, board):
    assert await refused(
        secured, nats_auth.INTEGRATOR, lambda js: fetch_one(js, "SW_VISITS", board)
    )
    assert await still_there(secured, board)


async def test_the_integrator_cannot_create_or_change_a_consumer_under_a_services_name(
    secured, board
):
    other = bus.consumer_name("visits_read", 2, "visits.p2")
    assert await refused(
        secured, nats_auth.INTEGRATOR, lambda js: js.add_consumer("SW_VISITS", durable(other))
    )
    changed = durable(board, "sw.visits.st1.>")
    assert await refused(
        secured, nats_auth.INTEGRATOR, lambda js: js.add_consumer("SW_VISITS", changed)
    )
    assert await still_there(secured, board)


async def test_the_integrator_creates_uses_and_deletes_its_own_consumers(secured, board):
    nc = await secured.connect(nats_auth.INTEGRATOR)
    try:
        js = nc.jetstream(timeout=2)
        await js.add_consumer("SW_VISITS", durable("integrator-dashboard"))
        [msg] = await fetch_one(js, "SW_VISITS", "integrator-dashboard")
        await msg.ack_sync()
        assert await js.delete_consumer("SW_VISITS", "integrator-dashboard")
        ephemeral = await js.add_consumer(
            "SW_VISITS", ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
        )
        assert await js.delete_consumer("SW_VISITS", ephemeral.name)
        assert nc.last_error is None
    finally:
        await nc.close()
    assert await still_there(secured, board)


async def test_a_service_cannot_delete_another_services_consumer(secured, board):
    assert await refused(
        secured, "notifications", lambda js: js.delete_consumer("SW_VISITS", board)
    )
    assert await still_there(secured, board)


async def test_a_service_cannot_fetch_from_another_services_consumer(secured, board):
    assert await refused(secured, "visits", lambda js: fetch_one(js, "SW_VISITS", board))
    assert await still_there(secured, board)


async def test_a_service_cannot_create_a_consumer_under_another_services_name(secured):
    call = lambda js: js.add_consumer(
        "SW_VISITS", durable(bus.consumer_name("notifications_planner", 1, "visits.p0"))
    )
    assert await refused(secured, "stations", call)


async def test_a_service_creates_fetches_and_deletes_its_own_consumers(secured):
    nc = await secured.connect("notifications")
    try:
        js = nc.jetstream(timeout=2)
        await js.add_consumer(
            "SW_VISITS", durable(bus.consumer_name("notifications_planner", 3, "visits.p1"))
        )
        [msg] = await fetch_one(
            js, "SW_VISITS", bus.consumer_name("notifications_planner", 3, "visits.p1")
        )
        await msg.ack_sync()
        assert await js.delete_consumer(
            "SW_VISITS", bus.consumer_name("notifications_planner", 3, "visits.p1")
        )
        assert nc.last_error is None
    finally:
        await nc.close()


async def test_a_service_cannot_change_another_services_stream_but_changes_its_own(secured):
    settings = Settings(stream_duplicate_window_s=60)
    config = bus.domain_stream_config("engagement", settings)
    assert await refused(secured, "visits", lambda js: js.update_stream(config))
    nc = await secured.connect("engagement")
    try:
        info = await nc.jetstream(timeout=2).update_stream(config)
        assert info.config.duplicate_window == 60
    finally:
        await nc.close()


def test_the_configuration_names_the_consumers_each_installed_service_declares():
    from shegong_runtime import catalogue

    for name, entry in catalogue.services().items():
        service = entry.load()
        declared = {f"{name}_stations": ("registry",)}
        declared |= {p.name: tuple(p.domains) for p in service.projections}
        assert nats_auth.CONSUMERS[name] == declared, name

"""Guarantee 9, on NATS: each service may publish only its own subjects.

Every test runs a real nats-server from the pinned wheel with the configuration `shegong up`
generates, on a free port, in a temporary folder.
"""

import asyncio
import os
import re
import stat
from pathlib import Path

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError
from shegong_runtime import bus, nats_auth
from shegong_runtime.embedded import EmbeddedNats
from shegong_runtime.eventstore import EventStore
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_testing.probe import probe_event

from .helpers import Process, stream_envelopes, tmp_log

BOARD = bus.consumer_name(
    "stations_board", 1, "visits.p0"
)  # a consumer name the stations user may use
COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
OTHER_DOMAINS = ["registry", "visits", "notifications"]  # every domain but engagement's


class SecuredNats:
    def __init__(self, server: EmbeddedNats, passwords: dict[str, str]):
        self.server, self.passwords = server, passwords

    def settings(self, user: str) -> Settings:
        return Settings(
            nats_url=self.server.url, nats_user=user, nats_password=self.passwords[user]
        )

    async def connect(self, user: str):
        """Through the runtime's own `bus.connect`, as every service does."""
        return await bus.connect(self.settings(user), f"test-{user}")


@pytest.fixture
def secured(tmp_path):
    config, passwords = nats_auth.write_config(tmp_path / "nats", nats_auth.SERVICES)
    server = EmbeddedNats(tmp_path / "nats", config=config).start()
    try:
        yield SecuredNats(server, passwords)
    finally:
        server.stop()


@pytest.fixture
async def streams(secured):
    """Every domain stream and the dead letters, declared as the operator."""
    nc = await secured.connect(nats_auth.OPERATOR)
    try:
        domains = [d for d in nats_auth.SERVICES.values() if d]
        await bus.ensure_domain_streams(nc.jetstream(), domains, Settings())
    finally:
        await nc.close()


async def refused(nc, subject: str) -> bool:
    """A core publish the server refuses: nats-py reports `permissions violation` (lower case) as
    the connection's last error and to its error callback; the connection stays up."""
    await nc.publish(subject, b"{}")
    await nc.flush()

    def reported() -> bool:
        error = str(nc.last_error or "")
        return "permissions violation" in error and f'"{subject.lower()}"' in error

    try:
        await eventually(reported, timeout=5, interval=0.02)  # the -ERR may trail the PONG
    except AssertionError:
        return False
    return nc.is_connected


async def last_seq(js, stream: str) -> int:
    return (await js.stream_info(stream)).state.last_seq


async def test_a_service_declares_its_streams_and_publishes_its_domain_and_dead_letters(secured):
    nc = await secured.connect("engagement")
    try:
        js = nc.jetstream()
        # the same declaration a service makes on start: its own stream, one it reads, dead letters
        await bus.ensure_domain_streams(js, ["engagement", "visits"], Settings())
        ack = await js.publish("sw.engagement.x.y.z", b"{}", headers={"Nats-Msg-Id": "e-1"})
        assert (ack.stream, ack.seq) == ("SW_ENGAGEMENT", 1)
        ack = await js.publish("sw.dlq.something", b"{}", headers={"Nats-Msg-Id": "d-1"})
        assert ack.stream == bus.DEADLETTER_STREAM
        assert nc.last_error is None
    finally:
        await nc.close()


async def test_a_service_reads_another_domains_stream_with_a_durable_pull_consumer(
    secured, streams
):
    visits = await secured.connect("visits")
    stations = await secured.connect("stations")
    try:
        await visits.jetstream().publish("sw.visits.st1.VisitRecorded.h1", b'{"n": 1}')
        js = stations.jetstream()
        await js.add_consumer(
            "SW_VISITS",
            ConsumerConfig(
                durable_name=BOARD, ack_policy=AckPolicy.EXPLICIT, filter_subject="sw.visits.>"
            ),
        )
        sub = await js.pull_subscribe_bind(durable=BOARD, stream="SW_VISITS")
        [msg] = await sub.fetch(1, timeout=5)
        assert msg.subject == "sw.visits.st1.VisitRecorded.h1"
        await msg.ack_sync()
        info = await js.consumer_info("SW_VISITS", BOARD)
        assert info.ack_floor.stream_seq == 1
        direct = await js.get_msg("SW_VISITS", 1, direct=True)  # as the relay's recovery reads
        assert direct.data == b'{"n": 1}'
        assert stations.last_error is None
    finally:
        await visits.close()
        await stations.close()


async def test_a_service_may_not_publish_another_domains_subjects_nor_redrive(secured, streams):
    nc = await secured.connect("engagement")
    try:
        js = nc.jetstream()
        before = await last_seq(js, "SW_VISITS")
        assert await refused(nc, "sw.visits.x.Y.z")
        # a JetStream publish gets no acknowledgement: the server drops it before any stream
        with pytest.raises(nats.errors.TimeoutError):
            await js.publish("sw.visits.x.Y.z", b"{}", timeout=1)
        assert await last_seq(js, "SW_VISITS") == before
        for subject in [
            "sw.registry.s.StationOpened.a",
            "sw.notifications.s.T.a",
            "sw.redrive.visits_read",
        ]:
            fresh = await secured.connect("engagement")
            try:
                assert await refused(fresh, subject), subject
            finally:
                await fresh.close()
    finally:
        await nc.close()


async def test_a_service_may_not_delete_or_purge_a_stream(secured, streams):
    nc = await secured.connect("engagement")
    try:
        js = nc.jetstream(timeout=1)
        for call in (js.delete_stream("SW_VISITS"), js.purge_stream("SW_ENGAGEMENT")):
            with pytest.raises(nats.errors.TimeoutError):
                await call  # the API request is refused, so never answered
        assert (await js.stream_info("SW_VISITS")).config.name == "SW_VISITS"
    finally:
        await nc.close()


async def test_stations_publishes_no_domain_subject_but_dead_letters(secured, streams):
    for subject in [
        "sw.registry.s.T.a",
        "sw.visits.s.T.a",
        "sw.engagement.s.T.a",
        "sw.notifications.s.T.a",
    ]:
        nc = await secured.connect("stations")
        try:
            assert await refused(nc, subject), subject
        finally:
            await nc.close()
    nc = await secured.connect("stations")
    try:
        assert (
            await nc.jetstream().publish("sw.dlq.stations_board", b"{}")
        ).stream == bus.DEADLETTER_STREAM
    finally:
        await nc.close()


async def test_the_integrator_reads_but_publishes_no_sw_subject_and_changes_no_stream(
    secured, streams
):
    visits = await secured.connect("visits")
    try:
        await visits.jetstream().publish("sw.visits.st1.NeedIdentified.n1", b"{}")
    finally:
        await visits.close()
    for subject in [
        *(f"sw.{d}.s.T.a" for d in [*OTHER_DOMAINS, "engagement"]),
        "sw.dlq.x",
        "sw.redrive.x",
    ]:
        nc = await secured.connect(nats_auth.INTEGRATOR)
        try:
            assert await refused(nc, subject), subject
        finally:
            await nc.close()
    nc = await secured.connect(nats_auth.INTEGRATOR)
    try:
        js = nc.jetstream(timeout=2)
        sub = await js.pull_subscribe(
            "sw.visits.*.NeedIdentified.*", durable="dashboard", stream="SW_VISITS"
        )
        [msg] = await sub.fetch(1, timeout=5)
        await msg.ack_sync()
        assert msg.subject == "sw.visits.st1.NeedIdentified.n1"
        with pytest.raises(nats.errors.TimeoutError):
            await js.add_stream(name="MINE", subjects=["mine.>"])
    finally:
        await nc.close()


async def test_the_operator_may_publish_anything(secured, streams):
    nc = await secured.connect(nats_auth.OPERATOR)
    try:
        js = nc.jetstream()
        assert (await js.publish("sw.redrive.visits_read", b"{}")).stream == bus.DEADLETTER_STREAM
        assert (await js.publish("sw.visits.s.T.a", b"{}")).stream == "SW_VISITS"
        await nc.publish("replayed.visits.s.T.a", b"{}")  # a replay --republish target
        await nc.flush()
        assert nc.last_error is None
    finally:
        await nc.close()


async def test_a_wrong_password_or_no_user_is_refused(secured):
    for credentials in ({"user": "visits", "password": "guess"}, {}):
        with pytest.raises(nats.errors.Error, match="(?i)authorization violation"):
            await nats.connect(
                secured.server.url, allow_reconnect=False, max_reconnect_attempts=0, **credentials
            )


def test_passwords_are_random_private_and_kept_for_the_next_start(tmp_path):
    _, first = nats_auth.write_config(tmp_path, {"visits": "visits"})
    config, again = nats_auth.write_config(tmp_path, {"visits": "visits", "extra": None})
    assert {k: again[k] for k in first} == first  # a restart reuses them; a new service gets one
    assert len(set(again.values())) == len(again) == 4 and all(len(p) >= 32 for p in again.values())
    for path in (config, tmp_path / nats_auth.PASSWORDS_FILE):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_compose_cluster_has_the_same_users():
    text = COMPOSE.read_text(encoding="utf-8")
    block = re.search(r"^  nats-auth:\n    content: \|\n((?:      .*\n)+)", text, re.MULTILINE)
    assert block, "docker-compose.yml has no configs: nats-auth"
    embedded = "".join(line[6:] + "\n" for line in block.group(1).splitlines())
    assert embedded == nats_auth.render_compose(), (
        "regenerate it: python -m shegong_runtime.nats_auth"
    )
    for name in nats_auth.SERVICES:
        assert f"SHEGONG_NATS_USER: {name}\n" in text


@pytest.mark.timeout(90)
async def test_a_relay_process_relays_and_recovers_under_its_service_user(
    secured, pool, database_url, tmp_path, unique
):
    """`shegong relay` as the engagement user: it declares the streams, publishes, and after a
    checkpoint reset reads back what the stream holds (direct gets) so nothing is sent twice."""
    store = EventStore(pool, unique("perm"))
    await store.migrate()
    aggs = [unique("agg") for _ in range(3)]
    for agg in aggs:
        await store.append(f"probe-{agg}", [probe_event(agg, 0)], 0)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": secured.server.url,
        "SHEGONG_NATS_USER": "engagement",
        "SHEGONG_NATS_PASSWORD": secured.passwords["engagement"],
        "SHEGONG_LOG_JSON": "true",
    }
    args = ["relay", "--schema", store.schema, "--domain", "engagement"]
    operator = await secured.connect(nats_auth.OPERATOR)
    js = operator.jetstream()
    try:
        first = Process(args, env, tmp_log(tmp_path, "relay-perm-1"))
        try:
            await eventually(
                lambda: _count(stream_envelopes(js, "SW_ENGAGEMENT", set(aggs)), 3), timeout=30
            )
        finally:
            first.stop()
        await pool.execute(
            f"UPDATE {store.schema}.relay_checkpoint SET tx_id = 0, position = 0, stream_seq = 0"
        )
        for agg in aggs:
            await store.append(f"probe-{agg}", [probe_event(agg, 1)], 1)
        second = Process(args, env, tmp_log(tmp_path, "relay-perm-2"))
        try:
            envs = await eventually(
                lambda: _count(stream_envelopes(js, "SW_ENGAGEMENT", set(aggs)), 6), timeout=30
            )
            await asyncio.sleep(0.5)  # room for a duplicate to show
            envs = await stream_envelopes(js, "SW_ENGAGEMENT", set(aggs))
        finally:
            second.stop()
    finally:
        await operator.close()
    assert second.saw("relay.recovered"), "the recovery scan did not read the stream"
    assert not first.saw("relay.error") and not second.saw("relay.error")
    assert len(envs) == len({e["event_id"] for e in envs}) == 6
    assert (await js_streams(secured)) >= {
        "SW_ENGAGEMENT",
        bus.DEADLETTER_STREAM,
    }  # declared by the relay


async def _count(coro, n):
    try:
        envs = await coro
    except NotFoundError:  # the relay has not declared the stream yet
        return None
    return envs if len(envs) >= n else None


async def js_streams(secured) -> set[str]:
    nc = await secured.connect(nats_auth.OPERATOR)
    try:
        return {info.config.name for info in await nc.jetstream().streams_info()}
    finally:
        await nc.close()

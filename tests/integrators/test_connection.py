"""The kit's one way to connect (`shegong_events.subscriber.nats_broker`): the integrator's env
file or variables, every mistake named; and a real TLS server reached through tls:// with the
user and password of the project's authorization."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import uuid

import nats
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.nats import NatsRouter
from shegong_events import Envelope
from shegong_events.connection import ConnectionNotConfigured, connection_from_env
from shegong_events.decoding import Delivered
from shegong_events.subjects import subject_for
from shegong_events.subscriber import nats_broker, shegong_subscriber
from shegong_events.visits import NeedIdentified
from shegong_runtime import bus, nats_auth
from shegong_runtime.embedded import EmbeddedNats
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually

FULL = {
    "NATS_URL": "nats://a:4222",
    "SHEGONG_NATS_USER": "integrator",
    "SHEGONG_NATS_PASSWORD": "pw",
}


def test_the_file_shegong_up_writes_is_the_connection(tmp_path):
    env_file = nats_auth.write_env(
        tmp_path / "integrator.env", "nats://127.0.0.1:4322", "integrator", "s3cret"
    )
    conn = connection_from_env(env_file, environ={})
    assert (conn.servers, conn.user, conn.password, conn.tls) == (
        ("nats://127.0.0.1:4322",),
        "integrator",
        "s3cret",
        False,
    )
    assert "s3cret" not in repr(conn)
    assert connection_from_env(environ={"SHEGONG_NATS_ENV_FILE": str(env_file)}) == conn


def test_the_named_file_wins_over_the_environment_which_fills_only_what_it_lacks(tmp_path):
    env_file = tmp_path / "integrator.env"
    env_file.write_text("NATS_URL=nats://file:4222\nSHEGONG_NATS_USER=integrator\n")
    operator_shell = FULL | {"SHEGONG_NATS_USER": "operator", "SHEGONG_NATS_PASSWORD": "from-env"}
    conn = connection_from_env(env_file, environ=operator_shell)
    assert (conn.servers, conn.user, conn.password) == (
        ("nats://file:4222",),
        "integrator",
        "from-env",
    )


def test_a_cluster_is_a_comma_separated_list():
    conn = connection_from_env(environ=FULL | {"NATS_URL": " nats://n1:4222, nats://n2:4222 ,"})
    assert conn.servers == ("nats://n1:4222", "nats://n2:4222")
    assert conn.ssl_context() is None


def test_tls_servers_get_a_verifying_context():
    conn = connection_from_env(environ=FULL | {"NATS_URL": "tls://n1:4222,tls://n2:4222"})
    context = conn.ssl_context()
    assert conn.tls and context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "NATS_URL, SHEGONG_NATS_USER, SHEGONG_NATS_PASSWORD not set"),
        (FULL | {"SHEGONG_NATS_PASSWORD": " "}, "SHEGONG_NATS_PASSWORD not set"),
        (FULL | {"SHEGONG_NATS_USER": ""}, "SHEGONG_NATS_USER not set"),
        (FULL | {"NATS_URL": "http://a:4222"}, "'http://a:4222' is not a NATS server URL"),
        (FULL | {"NATS_URL": "a:4222"}, "'a:4222' is not a NATS server URL"),
        (FULL | {"NATS_URL": "tls://a:4222,nats://b:4222"}, "mixes tls:// and nats://"),
        (FULL | {"SHEGONG_NATS_CA_FILE": "/ca.pem"}, "SHEGONG_NATS_CA_FILE is set but NATS_URL"),
        (
            FULL | {"NATS_URL": "tls://a:4222", "SHEGONG_NATS_CA_FILE": "/nowhere/ca.pem"},
            "/nowhere/ca.pem does not exist",
        ),
        ({"SHEGONG_NATS_ENV_FILE": "/nowhere/integrator.env"}, "/nowhere/integrator.env does not"),
    ],
)
def test_what_is_missing_or_wrong_is_named(environ, named):
    with pytest.raises(
        ConnectionNotConfigured, match=named.replace("(", r"\(").replace("?", r"\?")
    ):
        connection_from_env(environ=environ)
    with pytest.raises(ConnectionNotConfigured, match="NATS"):
        nats_broker(environ=environ)


async def ignore(error: Exception) -> None:
    """nats-py reports a failed connect to its error callback too; the test reads the raise."""


def certificates(folder):
    """A private CA and a server certificate for 127.0.0.1, as a deployment's would be."""
    now = dt.datetime.now(dt.UTC)

    def cert(subject, issuer, key, signer, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
            builder = builder.add_extension(san, critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shegong test CA")])
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    ca = cert(ca_name, ca_name, ca_key, ca_key, ca=True)
    server = cert(server_name, ca_name, server_key, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = {name: folder / f"{name}.pem" for name in ("ca", "server", "server-key")}
    paths["ca"].write_bytes(ca.public_bytes(pem))
    paths["server"].write_bytes(server.public_bytes(pem))
    paths["server-key"].write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


@pytest.fixture
def tls_nats(tmp_path):
    """The project's authorization on a server that speaks only TLS."""
    certs = certificates(tmp_path)
    config, passwords = nats_auth.write_config(tmp_path / "nats", nats_auth.SERVICES)
    tls = f"tls {{cert_file: '{certs['server']}', key_file: '{certs['server-key']}'}}\n"
    combined = tmp_path / "nats" / "tls.conf"
    combined.write_text(tls + config.read_text())
    server = EmbeddedNats(tmp_path / "nats", config=combined).start()
    try:
        yield server, passwords, certs["ca"]
    finally:
        server.stop()


async def test_a_tls_server_is_reached_through_tls_urls_with_the_integrators_password(tls_nats):
    server, passwords, ca = tls_nats
    url = f"tls://127.0.0.1:{server.port}"
    # the visits service publishes over TLS, as its relay would
    settings = Settings(nats_url=url, nats_user="visits", nats_password=passwords["visits"])
    nc = await nats.connect(
        url,
        user="visits",
        password=passwords["visits"],
        tls=ssl.create_default_context(cafile=str(ca)),
    )
    try:
        js = nc.jetstream()
        await bus.ensure_domain_streams(js, ["visits"], settings)
        need = Envelope.wrap(
            NeedIdentified(
                need_id="need-tls",
                category="financial",
                severity="urgent",
                identified_on=dt.date(2024, 3, 21),
            ),
            aggregate_id=f"tls-{uuid.uuid4().hex[:8]}",
            station_id="chengguan-huochezhan",
            actor="sw-hcz-01",
        )
        await bus.publish_event(
            js,
            subject_for(need, "visits"),
            need.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(need.event_id)},
        )
    finally:
        await nc.close()

    integrator = {
        "NATS_URL": url,
        "SHEGONG_NATS_USER": "integrator",
        "SHEGONG_NATS_PASSWORD": passwords["integrator"],
    }
    # without the deployment's CA the server's certificate is refused: the context verifies
    unverified = connection_from_env(environ=integrator).ssl_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        await nats.connect(
            url,
            user="integrator",
            password=passwords["integrator"],
            tls=unverified,
            allow_reconnect=False,
            connect_timeout=3,
            error_cb=ignore,
        )

    seen: list[Delivered] = []
    router = NatsRouter()

    @shegong_subscriber(router, domain="visits", durable=f"tls-{uuid.uuid4().hex[:6]}")
    async def on_event(delivered: Delivered) -> None:
        seen.append(delivered)

    broker = nats_broker(environ=integrator | {"SHEGONG_NATS_CA_FILE": str(ca)})
    broker.include_router(router)
    async with broker:
        await broker.start()
        await eventually(lambda: seen, timeout=30)
    assert isinstance(seen[0].event, NeedIdentified) and seen[0].envelope.event_id == need.event_id

"""Where a subscriber connects and as whom: the integrator's env file or the same variables.

`shegong up` writes `<state>/nats/integrator.env`; a deployment gives its integrators the same
four variables:

    NATS_URL               nats://host:4222; several, comma-separated, for a cluster;
                           tls://host:4222 for TLS
    SHEGONG_NATS_USER      the user (the read-only `integrator`)
    SHEGONG_NATS_PASSWORD  its password
    SHEGONG_NATS_CA_FILE   optional: the CA of the servers' certificates (else the system's)

Every Shegong NATS requires a user, so a missing one is an error here, not a refused
connection later. A file named explicitly (or by SHEGONG_NATS_ENV_FILE) wins over the
environment, which only fills what the file leaves out: a shell that once sourced the
operator's file must not quietly turn an integrator into the operator.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

ENV_FILE = "SHEGONG_NATS_ENV_FILE"
URL, USER, PASSWORD, CA_FILE = (
    "NATS_URL",
    "SHEGONG_NATS_USER",
    "SHEGONG_NATS_PASSWORD",
    "SHEGONG_NATS_CA_FILE",
)
SCHEMES = ("nats", "tls")
HINT = "for `shegong up`: `set -a; . .state/nats/integrator.env; set +a`"


class ConnectionNotConfigured(ValueError):
    """The connection cannot be built: the message names the variable or file at fault."""


@dataclass(frozen=True)
class NatsConnection:
    servers: tuple[str, ...]
    user: str
    password: str = field(repr=False)
    tls: bool = False
    ca_file: str | None = None

    def ssl_context(self) -> ssl.SSLContext | None:
        """Certificates and host names verified; None for plain nats:// servers."""
        return ssl.create_default_context(cafile=self.ca_file) if self.tls else None


def connection_from_env(
    env_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> NatsConnection:
    """Read the connection from `env_file` (or SHEGONG_NATS_ENV_FILE), then the environment."""
    environ = os.environ if environ is None else environ
    source = "the environment"
    values: dict[str, str] = {}
    path = env_file or environ.get(ENV_FILE) or None
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConnectionNotConfigured(f"NATS env file {path} does not exist ({HINT})")
        values = {k: v for k, v in dotenv_values(path).items() if v}
        source = f"{path} and the environment"

    def value(name: str) -> str:
        return (values.get(name) or environ.get(name) or "").strip()

    missing = [name for name in (URL, USER, PASSWORD) if not value(name)]
    if missing:
        raise ConnectionNotConfigured(
            f"NATS connection not configured: {', '.join(missing)} not set in {source} ({HINT})"
        )
    servers = tuple(s.strip() for s in value(URL).split(",") if s.strip())
    schemes = {_scheme(server) for server in servers}
    if len(schemes) > 1:
        raise ConnectionNotConfigured(
            f"{URL} mixes tls:// and nats:// servers: every node of a cluster is reached one way"
        )
    tls = schemes == {"tls"}
    ca_file = value(CA_FILE) or None
    if ca_file and not tls:
        raise ConnectionNotConfigured(
            f"{CA_FILE} is set but {URL} asks for no TLS: write the servers as tls://host:port"
        )
    if ca_file and not Path(ca_file).is_file():
        raise ConnectionNotConfigured(f"{CA_FILE}: {ca_file} does not exist")
    return NatsConnection(servers, value(USER), value(PASSWORD), tls, ca_file)


def _scheme(server: str) -> str:
    parts = urlsplit(server)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ConnectionNotConfigured(
            f"{URL}: {server!r} is not a NATS server URL (nats://host:port or tls://host:port)"
        )
    return parts.scheme

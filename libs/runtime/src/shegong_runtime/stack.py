"""`shegong up`: the whole system on one machine, each service its own process.

NATS comes from the pinned wheel (data under the state folder), PostgreSQL from DATABASE_URL or
else an embedded server; starting again reuses the same data. The embedded NATS requires a user:
each service runs as its own (publishing only its own subjects, `nats_auth`), the stack and the
operators' tools as `operator`; the passwords stay under `<state>/nats`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import click
import httpx

from shegong_runtime import catalogue, demo, nats_auth
from shegong_runtime.cluster import EmbeddedCluster
from shegong_runtime.connections import database_name, with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres
from shegong_runtime.settings import Settings
from shegong_runtime.supervisor import Child, Supervisor

EMBEDDED_NATS_PORT = 4322  # not 4222: the machine may run an older NATS there
REPLICA_PORT_STEP = 100  # replica r of a service listens r * 100 above the first: 8102, 8202, ...


def replica_port(name: str, replica: int) -> int:
    return catalogue.port_of(name) + REPLICA_PORT_STEP * replica


@dataclass
class Stack:
    settings: Settings
    state: Path
    database_url: str = ""
    nats_url: str = ""
    urls: dict[str, str] = field(default_factory=dict)  # every replica: `visits`, `visits#2`, ...
    supervisor: Supervisor = field(
        default_factory=lambda: Supervisor(spawn=lambda *a, **k: subprocess.Popen(*a, **k))
    )
    cluster_size: int = 1  # 3: a JetStream cluster of three nodes, streams with three replicas
    nats: EmbeddedNats | EmbeddedCluster | None = None
    postgres: EmbeddedPostgres | None = None
    nats_passwords: dict[str, str] = field(default_factory=dict)  # empty: a NATS given by NATS_URL

    def start_servers(self) -> None:
        if os.environ.get("DATABASE_URL"):
            self.database_url = os.environ["DATABASE_URL"]
        else:
            self.postgres = EmbeddedPostgres(self.state / "postgres").start()
            self.database_url = with_database(self.postgres.url, "shegong")
        asyncio.run(ensure_database(self.database_url))
        if os.environ.get("NATS_URL"):
            self.nats_url = os.environ["NATS_URL"]  # its users are the environment's business
        else:
            self.start_nats()

    def ports_taken(
        self, names: list[str] | None = None, replicas: dict[str, int] | None = None
    ) -> list[str]:
        """What would clash before anything starts: `up` says which port, not a timeout later."""
        wanted = {}
        if not os.environ.get("NATS_URL"):
            first = int(os.environ.get("SHEGONG_EMBEDDED_NATS_PORT", EMBEDDED_NATS_PORT))
            for i in range(self.cluster_size):
                wanted[first + i] = (
                    f"NATS{f' node {i + 1}' if self.cluster_size > 1 else ''} (SHEGONG_EMBEDDED_NATS_PORT)"
                )
        for name in names or list(catalogue.services()):
            for replica in range((replicas or {}).get(name, 1)):
                wanted[replica_port(name, replica)] = f"{name} (SHEGONG_STACK_PORT_BASE)"
        return [
            f"port {port} for {what} is taken"
            for port, what in sorted(wanted.items())
            if port_in_use(port)
        ]

    def start_nats(self) -> None:
        """The wheel's NATS with one user per installed service, `operator` and `integrator`."""
        folder = self.state / "nats"
        domains = {name: ep.load().domain for name, ep in catalogue.services().items()}
        config, self.nats_passwords = nats_auth.write_config(folder, domains)
        port = int(os.environ.get("SHEGONG_EMBEDDED_NATS_PORT", EMBEDDED_NATS_PORT))
        if self.cluster_size > 1:  # nodes on successive ports from the embedded port
            self.nats = EmbeddedCluster(
                folder / "cluster", self.cluster_size, config=config, first_port=port
            ).start()
        else:
            self.nats = EmbeddedNats(folder, port=port, config=config).start()
        self.nats_url = self.nats.url
        operator = self.nats_passwords[nats_auth.OPERATOR]
        self.settings = self.settings.model_copy(
            update={
                "nats_url": self.nats_url,
                "nats_user": nats_auth.OPERATOR,
                "nats_password": operator,
            }
        )
        written = {
            user: nats_auth.write_env(
                folder / f"{user}.env", self.nats_url, user, self.nats_passwords[user]
            )
            for user in (nats_auth.OPERATOR, nats_auth.INTEGRATOR)
        }
        with open(
            written[nats_auth.OPERATOR], "a", encoding="utf-8"
        ) as env:  # the tools read the database too
            env.write(f"DATABASE_URL={self.database_url}\n")
        click.echo(
            f"NATS users  operator: {written[nats_auth.OPERATOR]}, integrator: {written[nats_auth.INTEGRATOR]}"
            " (`set -a; . FILE; set +a` before shegong status, dlq, replay)"
        )

    def nats_env(self, user: str) -> dict[str, str]:
        """SHEGONG_NATS_USER/PASSWORD of a service's own user; nothing for a NATS not ours."""
        if not self.nats_passwords:
            return {}
        return {"SHEGONG_NATS_USER": user, "SHEGONG_NATS_PASSWORD": self.nats_passwords[user]}

    @property
    def procs(self) -> dict[str, subprocess.Popen[bytes]]:
        return {name: c.proc for name, c in self.supervisor.children.items() if c.proc is not None}

    def start_services(
        self, names: list[str] | None = None, replicas: dict[str, int] | None = None
    ) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "NATS_URL": self.nats_url}
        if self.cluster_size > 1:
            env["SHEGONG_STREAM_REPLICAS"] = str(min(self.cluster_size, 3))
        logs = self.state / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name in names or list(catalogue.services()):
            for replica in range((replicas or {}).get(name, 1)):
                key = name if replica == 0 else f"{name}#{replica + 1}"
                port = replica_port(name, replica)
                argv = [
                    sys.executable,
                    "-m",
                    "shegong_runtime.cli",
                    "serve",
                    name,
                    "--port",
                    str(port),
                ]
                log_path = logs / f"{key.replace('#', '-')}.log"
                self.supervisor.start(Child(key, argv, {**env, **self.nats_env(name)}, log_path))
                self.urls[key] = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = dict(self.urls)
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"service {name} exited; see {self.state}/logs/{name}.log")
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        pending.pop(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"not ready after {timeout}s: {', '.join(pending)}")

    def stop(self) -> None:
        self.supervisor.stop()
        if self.nats:
            self.nats.stop()
        if self.postgres:
            self.postgres.stop()


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def ensure_database(url: str) -> None:
    name = database_name(url)
    try:
        conn = await asyncpg.connect(url)
        await conn.close()
        return
    except asyncpg.InvalidCatalogNameError:
        pass
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def load_demo(stack: Stack) -> list[str]:
    return asyncio.run(demo.load_week(stack.urls, stack.settings))

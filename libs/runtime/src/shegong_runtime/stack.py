"""`shegong up`: the whole system on one machine, each service its own process.

NATS comes from the pinned wheel (data under the state folder), PostgreSQL from DATABASE_URL or
else an embedded server; starting again reuses the same data. The embedded NATS requires a user:
each service runs as its own (publishing only its own subjects, `nats_auth`), the stack and the
operators' tools as `operator`; the passwords stay under `<state>/nats`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import click
import httpx

from shegong_runtime import catalogue, demo, nats_auth
from shegong_runtime.connections import database_name, with_database
from shegong_runtime.embedded import EmbeddedNats, EmbeddedPostgres
from shegong_runtime.settings import Settings

EMBEDDED_NATS_PORT = 4322  # not 4222: the machine may run an older NATS there


@dataclass
class Stack:
    settings: Settings
    state: Path
    database_url: str = ""
    nats_url: str = ""
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None
    nats_passwords: dict[str, str] = field(default_factory=dict)  # empty: a NATS given by NATS_URL

    def start_servers(self) -> None:
        if os.environ.get("NATS_URL"):
            self.nats_url = os.environ["NATS_URL"]  # its users are the environment's business
        else:
            self.start_nats()
        if os.environ.get("DATABASE_URL"):
            self.database_url = os.environ["DATABASE_URL"]
        else:
            self.postgres = EmbeddedPostgres(self.state / "postgres").start()
            self.database_url = with_database(self.postgres.url, "shegong")
        asyncio.run(ensure_database(self.database_url))

    def start_nats(self) -> None:
        """The wheel's NATS with one user per installed service, `operator` and `integrator`."""
        folder = self.state / "nats"
        domains = {name: ep.load().domain for name, ep in catalogue.services().items()}
        config, self.nats_passwords = nats_auth.write_config(folder, domains)
        port = int(os.environ.get("SHEGONG_EMBEDDED_NATS_PORT", EMBEDDED_NATS_PORT))
        self.nats = EmbeddedNats(folder, port=port, config=config).start()
        self.nats_url = self.nats.url
        operator = self.nats_passwords[nats_auth.OPERATOR]
        self.settings = self.settings.model_copy(
            update={"nats_url": self.nats_url, "nats_user": nats_auth.OPERATOR, "nats_password": operator}
        )
        written = {
            user: nats_auth.write_env(folder / f"{user}.env", self.nats_url, user, self.nats_passwords[user])
            for user in (nats_auth.OPERATOR, nats_auth.INTEGRATOR)
        }
        click.echo(
            f"NATS users  operator: {written[nats_auth.OPERATOR]}, integrator: {written[nats_auth.INTEGRATOR]}"
            " (`set -a; . FILE; set +a` before shegong status, dlq, replay)"
        )

    def nats_env(self, user: str) -> dict[str, str]:
        """SHEGONG_NATS_USER/PASSWORD of a service's own user; nothing for a NATS not ours."""
        if not self.nats_passwords:
            return {}
        return {"SHEGONG_NATS_USER": user, "SHEGONG_NATS_PASSWORD": self.nats_passwords[user]}

    def start_services(self, names: list[str] | None = None) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "NATS_URL": self.nats_url}
        logs = self.state / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name in names or list(catalogue.services()):
            port = catalogue.port_of(name)
            out = open(logs / f"{name}.log", "ab")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "shegong_runtime.cli", "serve", name, "--port", str(port)],
                env={**env, **self.nats_env(name)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            self.urls[name] = f"http://127.0.0.1:{port}"

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
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.nats:
            self.nats.stop()
        if self.postgres:
            self.postgres.stop()


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

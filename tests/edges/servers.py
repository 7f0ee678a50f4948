"""Real servers for the edge tests: `shegong serve NAME` as its own process on a free port."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
from shegong_testing.fixtures import eventually


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=5)).status_code == 200
    except httpx.HTTPError:
        return False


def start(name: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "shegong_runtime.cli", "serve", name, "--port", str(port)]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


@contextlib.asynccontextmanager
async def served(name: str, env: dict[str, str], log: Path):
    """The service `name` running as a process, ready; its JSON log in `log`."""
    port = free_port()
    proc = start(name, port, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _ready(url), timeout=90)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def lines(log: Path) -> Iterator[str]:
    yield from log.read_text(encoding="utf-8", errors="replace").splitlines()


class Recorder:
    """Stands in for a module's structlog logger: keeps (level, event, fields) in memory."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict]] = []

    def __getattr__(self, level: str):
        def record(event: str, **fields: object) -> None:
            self.lines.append((level, event, fields))

        return record

    def events(self) -> list[str]:
        return [event for _, event, _ in self.lines]

"""Shared by the operators' and integrators' tests: the node validators, the `shegong` command,
and a stack of its own (fresh database, fresh NATS) for tests that need history to themselves."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from shegong_runtime.connections import with_database
from shegong_runtime.embedded import EmbeddedNats

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = Path(__file__).with_name("validate.cjs")
SHEGONG = str(Path(sys.executable).parent / "shegong")


def node_report(*args: str | Path) -> Any:
    """Run the independent (non-Python) validator and return its JSON report."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the contract checks need Node.js 20")
    if not (ROOT / "node_modules" / "@asyncapi" / "parser").exists():
        pytest.fail("the validators are not installed: run `npm ci` at the repository root")
    done = subprocess.run(
        [node, str(VALIDATOR), *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@dataclass
class Ran:
    code: int
    out: str
    err: str


async def shegong(*args: str, env: dict[str, str], timeout: float = 120) -> Ran:
    """The real `shegong` command in its own process, as an operator would run it."""
    proc = await asyncio.create_subprocess_exec(
        SHEGONG, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return Ran(proc.returncode or 0, out.decode(), err.decode())


@asynccontextmanager
async def own_stack(postgres_server_url: str) -> AsyncIterator[tuple[str, str]]:
    """A database and a NATS server nobody else writes to: (database_url, nats_url)."""
    name = f"shegong_ops_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    with tempfile.TemporaryDirectory(prefix="shegong-ops-nats-") as tmp:
        server = EmbeddedNats(Path(tmp)).start()
        try:
            yield with_database(postgres_server_url, name), server.url
        finally:
            server.stop()
            admin = await asyncpg.connect(postgres_server_url)
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await admin.close()

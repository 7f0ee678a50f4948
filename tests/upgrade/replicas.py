"""Replicas of one service from two releases, behind a balancer of our own: a replica gets
requests once it answers /readyz, and is stopped only after it has been taken out of the
rotation and its requests in flight have been answered (what any balancer does on a drain)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from shegong_runtime.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


def previous_commit() -> str:
    lines = (Path(__file__).parent / "previous_release").read_text(encoding="utf-8").splitlines()
    return next(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """An environment in which another checkout's interpreter finds only its own packages."""
    return {
        k: v
        for k, v in env.items()
        if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME")
    }


def install_previous(where: Path) -> Path:
    """`git worktree add` of the previous release and `uv sync` of its own lock; its python."""
    commit = previous_commit()
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], check=False
    )
    if found.returncode != 0:
        raise RuntimeError(
            f"the previous release {commit} is not in this clone (a full clone has it)"
        )
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
        check=True,
        capture_output=True,
    )
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    command = [uv] if uv else [sys.executable, "-m", "uv"]
    subprocess.run(
        [*command, "sync", "--frozen", "--quiet"],
        cwd=where,
        env=clean_env(dict(os.environ)),
        check=True,
        timeout=900,
    )
    return where / ".venv" / "bin" / "python"


def remove_previous(where: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
        check=False,
        capture_output=True,
    )


@dataclass
class Replica:
    release: str  # "previous" or "current"
    port: int
    proc: subprocess.Popen
    in_flight: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Balancer:
    env: dict[str, str]
    logs: Path
    service: str = "visits"
    rotation: list[Replica] = field(default_factory=list)
    everyone: list[Replica] = field(default_factory=list)

    def start(self, python: Path | str, release: str) -> Replica:
        port = free_port()
        log = open(self.logs / f"{self.service}-{release}-{port}.log", "ab")
        proc = subprocess.Popen(
            [str(python), "-m", "shegong_runtime.cli", "serve", self.service, "--port", str(port)],
            env=clean_env(self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        replica = Replica(release, port, proc)
        self.everyone.append(replica)
        return replica

    async def admit(
        self,
        replica: Replica,
        probe: str = "/readyz",
        headers: dict | None = None,
        timeout: float = 90,
    ) -> None:
        """Into the rotation once it is ready and answers `probe` (a balancer's health check)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                if replica.proc.poll() is not None:
                    raise RuntimeError(f"{replica.release} replica on {replica.port} exited")
                try:
                    if (await client.get(f"{replica.url}/readyz", timeout=2)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{replica.release} replica on {replica.port} not ready")
                await asyncio.sleep(0.2)
        self.rotation.append(replica)

    async def drain(self, replica: Replica) -> None:
        """Out of the rotation, its requests answered, then SIGTERM and wait."""
        self.rotation.remove(replica)
        while replica.in_flight:
            await asyncio.sleep(0.05)
        replica.proc.terminate()
        await asyncio.to_thread(replica.proc.wait, 30)

    def stop(self) -> None:
        for replica in self.everyone:
            if replica.proc.poll() is None:
                replica.proc.terminate()
        for replica in self.everyone:
            try:
                replica.proc.wait(30)
            except subprocess.TimeoutExpired:
                replica.proc.kill()

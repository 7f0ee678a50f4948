"""Shared by the foundation tests: start Shegong processes, read streams."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from nats.js.errors import NotFoundError

SHEGONG = str(Path(sys.executable).parent / "shegong")
STALLING = Path(__file__).with_name("stalling.py")


class Process:
    """A real Shegong process whose JSON log lines a test can wait for."""

    def __init__(
        self, args: list[str], env: dict[str, str], log_path: Path, stall: str | None = None
    ):
        """`stall`: a crash point and seconds (`relay.checkpoint:60`), see `stalling.py`."""
        self.log_path = log_path
        self.log = open(log_path, "ab")
        command = [SHEGONG, *args]
        if stall:
            command = [sys.executable, str(STALLING), *args]
            env = {**env, "SHEGONG_TEST_STALL": stall}
        self.proc = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def lines(self) -> list[dict]:
        out = []
        for raw in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                out.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
        return out

    def saw(self, event: str) -> bool:
        return any(line.get("event") == event for line in self.lines())

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def env_with(base: dict[str, str], **settings: object) -> dict[str, str]:
    env = dict(base)
    for key, value in settings.items():
        env[f"SHEGONG_{key.upper()}"] = str(value)
    return env


async def stream_messages(js, stream: str) -> list:
    """Every message a stream holds, in stream order."""
    info = await js.stream_info(stream)
    out = []
    for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
        try:
            out.append(await js.get_msg(stream, seq))
        except NotFoundError:
            continue
    return out


async def stream_envelopes(js, stream: str, aggregate_ids: set[str]) -> list[dict]:
    msgs = await stream_messages(js, stream)
    envs = []
    for m in msgs:
        try:
            envs.append(json.loads(m.data))
        except json.JSONDecodeError:  # the poison test's garbage shares the probe stream
            continue
    return [e for e in envs if e.get("aggregate_id") in aggregate_ids]


def tmp_log(tmp_path: Path, name: str) -> Path:
    return tmp_path / f"{name}-{os.getpid()}.log"


async def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")

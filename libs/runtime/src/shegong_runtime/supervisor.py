"""The processes of `shegong up`: each service replica its own process, restarted when it dies.

A crash of one service is that service's business: it is logged and restarted with backoff
(1 s, doubling to 30 s, back to 1 s after a minute of good health) while the rest keeps running.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0


@dataclass
class Child:
    name: str  # `visits`, or `visits#2` for a further replica
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff_s: float = BACKOFF_FIRST_S
    restart_at: float | None = None


@dataclass
class Supervisor:
    spawn: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen
    say: Callable[[str], None] = print
    children: dict[str, Child] = field(default_factory=dict)

    def start(self, child: Child) -> None:
        self.children[child.name] = child
        self._spawn(child)

    def _spawn(self, child: Child) -> None:
        out = open(child.log_path, "ab")  # noqa: SIM115 - the child writes to it for its whole life
        child.proc = self.spawn(child.argv, env=child.env, stdout=out, stderr=subprocess.STDOUT)
        child.started_at, child.restart_at = time.monotonic(), None

    def watch(self) -> None:
        """One look at every child: schedule a restart for the dead, carry out those due."""
        now = time.monotonic()
        for child in self.children.values():
            if child.proc is None or child.proc.poll() is None:
                continue
            if child.restart_at is None:
                if now - child.started_at > HEALTHY_AFTER_S:
                    child.backoff_s = BACKOFF_FIRST_S
                child.restart_at = now + child.backoff_s
                self.say(
                    f"{child.name} exited (code {child.proc.returncode}); restarting in {child.backoff_s:.0f} s "
                    f"(see {child.log_path})"
                )
                child.backoff_s = min(child.backoff_s * 2, BACKOFF_MAX_S)
            elif now >= child.restart_at:
                child.restarts += 1
                self._spawn(child)
                self.say(f"{child.name} restarted (restart {child.restarts})")

    def stop(self, grace_s: float = 20.0) -> None:
        procs = [
            c.proc for c in self.children.values() if c.proc is not None and c.proc.poll() is None
        ]
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()

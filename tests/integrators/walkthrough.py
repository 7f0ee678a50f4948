"""The commands of docs/integrators.md's walk-through, taken from the page word for word: a step
the page no longer says fails the test, so the page and the tests cannot drift apart."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "integrators.md"


def step(command: str) -> str:
    assert command in DOCS.read_text(encoding="utf-8"), (
        f"docs/integrators.md no longer says `{command}`"
    )
    return command


def on_stack(command: str, state: Path) -> str:
    """The page's command for the repository's `.state`, pointed at the test stack's."""
    return command.replace(".state/", f"{state}/")


def outside_env(**extra: str) -> dict[str, str]:
    """A team's shell: nothing of this workspace's virtual environment or Shegong settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NATS_URL")
        and not k.startswith("SHEGONG_")
    }
    return env | extra


def sh(command: str, env: dict[str, str], cwd: Path = ROOT, timeout: float = 300) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout

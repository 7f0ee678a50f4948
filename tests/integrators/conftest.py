"""A running stack as an integrator finds it: `shegong up` (registry, visits, engagement, the
demo week), its embedded NATS with the project's users, and the integrator's env file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from shegong_runtime import auth, nats_auth
from shegong_runtime.embedded import free_port
from shegong_runtime.settings import Settings

SHEGONG = str(Path(sys.executable).parent / "shegong")
SERVICES = ("registry", "visits", "engagement")


@dataclass
class RunningStack:
    state: Path
    env: dict[str, str]  # the stack's own environment (ports, state folder)
    nats_url: str
    integrator_env: Path  # what `shegong up` hands integrators: <state>/nats/integrator.env
    engagement_url: str

    def password(self, user: str) -> str:
        return nats_auth.passwords(self.state / "nats", [])[user]

    def hold_meeting(self, station: str, meeting_id: str, participants: int) -> None:
        """A meeting scheduled and held through the engagement API, as station staff record it."""
        token = auth.issue(Settings(), "integrator-test", auth.Role.city_admin)
        with httpx.Client(base_url=self.engagement_url, timeout=30) as client:
            for path, body in [
                (
                    f"/stations/{station}/meetings",
                    {
                        "meeting_id": meeting_id,
                        "kind": "resident_deliberation",
                        "title": "居民议事会",
                        "scheduled_on": "2024-03-25",
                    },
                ),
                (
                    f"/stations/{station}/meetings/{meeting_id}/held",
                    {"held_on": "2024-03-25", "participants_total": participants},
                ),
            ]:
                r = client.post(
                    path,
                    json=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": f"{meeting_id}-{path.rsplit('/', 1)[1]}",
                    },
                )
                assert r.status_code < 300, r.text

    async def published(self, subject: str) -> bool:
        """The stream holds a message on `subject` (the relay has caught up with the store)."""
        nc = await nats.connect(
            self.nats_url,
            user=nats_auth.INTEGRATOR,
            password=self.password(nats_auth.INTEGRATOR),
        )
        try:
            info = await nc.jetstream().stream_info(
                f"SW_{subject.split('.')[1].upper()}", subjects_filter=subject
            )
            return bool(info.state.subjects)
        finally:
            await nc.close()


@pytest.fixture(scope="session")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """`shegong up --only registry --only visits --only engagement` on free ports, ready and the
    demo week loaded; stopped with Ctrl-C (SIGINT) at the end of the session."""
    state = tmp_path_factory.mktemp("integrators") / "state"
    base = free_port() // 10 * 10 % 50000 + 10000
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHEGONG_STATE_DIR": str(state),
        "SHEGONG_STACK_PORT_BASE": str(base),
        "SHEGONG_EMBEDDED_NATS_PORT": str(free_port()),
        "SHEGONG_DATABASE_POOL_SIZE": "3",
        "SHEGONG_LOG_JSON": "true",
    }
    env.pop("NATS_URL", None)  # the stack starts its own NATS, with the project's users
    log_path = state.parent / "up.log"
    args = [SHEGONG, "up", *(f"--only={name}" for name in SERVICES)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while "ready; Ctrl-C" not in log_path.read_text(errors="replace"):
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "shegong up not ready after 240 s"
            time.sleep(0.5)
        integrator_env = state / "nats" / "integrator.env"
        nats_url = f"nats://127.0.0.1:{env['SHEGONG_EMBEDDED_NATS_PORT']}"
        yield RunningStack(state, env, nats_url, integrator_env, f"http://127.0.0.1:{base + 2}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()

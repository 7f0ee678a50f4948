"""`shegong up` keeps the system running when one service dies: the supervisor restarts it with
backoff and says so, the others are left alone; NATS clients say when they lose the server."""

import sys
import time

import structlog
from shegong_runtime import bus
from shegong_runtime.embedded import EmbeddedNats, free_port
from shegong_runtime.settings import Settings
from shegong_runtime.supervisor import Child, Supervisor
from shegong_testing.fixtures import eventually


def test_a_crashed_child_is_restarted_with_backoff_and_the_others_keep_running(tmp_path):
    said: list[str] = []
    sup = Supervisor(say=said.append)
    env = {"PATH": "/usr/bin:/bin"}
    sup.start(
        Child(
            "crashes",
            [sys.executable, "-c", "import sys; sys.exit(3)"],
            env,
            tmp_path / "crashes.log",
        )
    )
    sup.start(
        Child(
            "steady",
            [sys.executable, "-c", "import time; time.sleep(60)"],
            env,
            tmp_path / "steady.log",
        )
    )
    steady = sup.children["steady"].proc
    assert steady is not None
    try:
        deadline = time.monotonic() + 10
        while sup.children["crashes"].restarts < 2 and time.monotonic() < deadline:
            sup.watch()
            time.sleep(0.05)
        crashes = sup.children["crashes"]
        assert crashes.restarts == 2
        assert crashes.backoff_s == 4.0  # 1 s, then 2 s, doubling up to 30 s
        assert any("crashes exited (code 3); restarting in 1 s" in s for s in said)
        assert any("crashes restarted (restart 2)" in s for s in said)
        assert sup.children["steady"].proc is steady and steady.poll() is None
    finally:
        sup.stop(grace_s=5)
    assert steady.poll() is not None


async def test_a_lost_and_regained_nats_connection_is_logged(tmp_path):
    server = EmbeddedNats(tmp_path / "nats").start()
    try:
        with structlog.testing.capture_logs() as logs:
            nc = await bus.connect(Settings(nats_url=server.url), "probe")
            server.stop()
            await eventually(
                lambda: any(e["event"] == "nats.disconnected" for e in logs), timeout=20
            )
            server.start()
            await eventually(
                lambda: any(e["event"] == "nats.reconnected" for e in logs), timeout=30
            )
            await nc.close()
        assert all(e.get("client") == "probe" for e in logs if e["event"].startswith("nats."))
    finally:
        server.stop()


def test_up_says_which_port_is_taken_before_starting_anything(tmp_path, monkeypatch):
    import socket

    from shegong_runtime import catalogue
    from shegong_runtime.settings import Settings as S
    from shegong_runtime.stack import Stack

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv(
            "SHEGONG_STACK_PORT_BASE", str(port - 1)
        )  # visits (second) on the busy port
        monkeypatch.delenv("NATS_URL", raising=False)
        monkeypatch.setenv("SHEGONG_EMBEDDED_NATS_PORT", str(free_port()))
        assert catalogue.port_of("visits") == port
        taken = Stack(S(), tmp_path).ports_taken()
    assert taken == [f"port {port} for visits (SHEGONG_STACK_PORT_BASE) is taken"]

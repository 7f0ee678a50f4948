"""A NATS JetStream cluster: its nodes' settings in one place, and N nodes on one machine.

`node_args` is the one source of a node's settings: `EmbeddedCluster` runs it on loopback ports
(`shegong up --cluster 3`, the test harness, the reliability suite) and docker-compose.yml's
three nodes run the same flags (`python -m shegong_runtime.cluster` prints them; a test fails
when the compose file drifts). Streams get replicas from `SHEGONG_STREAM_REPLICAS`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx

from shegong_runtime.embedded import EmbeddedNats, free_port, wait_for_port

CLUSTER_NAME = "shegong"
COMPOSE_NODES = ("nats-1", "nats-2", "nats-3")


def node_args(
    name: str,
    *,
    store_dir: str,
    http_port: int,
    cluster_listen: str,
    routes: list[str],
    config: str | None,
) -> list[str]:
    """The flags of one node of the cluster (client address and port are added by who runs it)."""
    return [
        f"--name={name}",
        *([f"--config={config}"] if config else []),
        f"--cluster_name={CLUSTER_NAME}",
        "--jetstream",
        f"--store_dir={store_dir}",
        f"--http_port={http_port}",
        f"--cluster={cluster_listen}",
        f"--routes={','.join(routes)}",
    ]


def compose_node_args(name: str) -> list[str]:
    """A node of docker-compose.yml: hosts by service name, the usual ports inside each container."""
    return node_args(
        name,
        store_dir="/data",
        http_port=8222,
        cluster_listen="nats://0.0.0.0:6222",
        routes=[f"nats://{n}:6222" for n in COMPOSE_NODES],
        config="/etc/nats/auth.conf",
    )


class EmbeddedCluster:
    """N nats-server processes of the pinned wheel on loopback, each with its own store."""

    def __init__(
        self,
        data_dir: Path,
        size: int = 3,
        config: Path | None = None,
        first_port: int | None = None,
    ):
        self.data_dir = Path(data_dir)
        ports = [
            (first_port + i if first_port else free_port(), free_port(), free_port())
            for i in range(size)
        ]
        routes = [f"nats://127.0.0.1:{cluster}" for _, cluster, _ in ports]
        self.nodes: list[EmbeddedNats] = []
        for i, (client, cluster, monitor) in enumerate(ports):
            name = f"n{i + 1}"
            folder = self.data_dir / name
            args = node_args(
                name,
                store_dir=str(folder / "jetstream"),
                http_port=monitor,
                cluster_listen=f"nats://127.0.0.1:{cluster}",
                routes=routes,
                config=str(config) if config else None,
            )
            self.nodes.append(
                EmbeddedNats(
                    folder,
                    port=client,
                    monitor_port=monitor,
                    name=name,
                    cluster_args=[*args, "-m", str(monitor)],
                )
            )

    @property
    def url(self) -> str:
        """Every node, comma-separated: clients fail over between them."""
        return ",".join(n.url for n in self.nodes)

    def start(self, timeout: float = 60.0) -> EmbeddedCluster:
        for node in self.nodes:
            node.start()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Every running node serves JetStream and the cluster has a meta leader."""
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            if node.proc is None or node.proc.poll() is not None:
                continue
            wait_for_port(node.port, timeout)
            while True:
                try:
                    r = httpx.get(
                        f"http://127.0.0.1:{node.monitor_port}/healthz?js-enabled-only=true",
                        timeout=2,
                    )
                    jsz = httpx.get(f"http://127.0.0.1:{node.monitor_port}/jsz", timeout=2).json()
                    if r.status_code == 200 and (jsz.get("meta_cluster") or {}).get("leader"):
                        break
                except (httpx.HTTPError, json.JSONDecodeError):
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"NATS node {node.name} not healthy after {timeout}s")
                time.sleep(0.2)

    def node(self, name: str) -> EmbeddedNats:
        return next(n for n in self.nodes if n.name == name)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


if __name__ == "__main__":  # the compose file's node commands
    for node in COMPOSE_NODES:
        sys.stdout.write(json.dumps(compose_node_args(node)) + "\n")

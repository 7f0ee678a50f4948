"""docker-compose.yml, checked without a Docker engine: against the Compose Specification's own
JSON Schema (tests/ops/compose-spec.json, vendored from the `dclint` 3.1.0 npm package, which
ships the compose-spec schema) with Ajv, and for what it promises: a three-node JetStream
cluster, replicated streams, one container per service running what `shegong up` runs."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import SimpleNamespace

import pytest
from shegong_runtime import catalogue, stack
from shegong_runtime.settings import Settings

from .helpers import ROOT, node_report

COMPOSE = ROOT / "docker-compose.yml"
SPEC = Path(__file__).with_name("compose-spec.json")


@pytest.fixture(scope="module")
def compose() -> dict:
    report = node_report("compose", COMPOSE, SPEC)
    assert report["valid"], report["errors"]
    return report["document"]


def commands_of_shegong_up(tmp_path: Path) -> dict[str, list[str]]:
    """The argv `shegong up` starts for each installed service, captured instead of run."""
    started: dict[str, list[str]] = {}

    class Captured:
        def __init__(self, args: list[str], **_: object) -> None:
            started[args[4]] = list(args)

    real = stack.subprocess
    recorder = SimpleNamespace(Popen=Captured, STDOUT=subprocess.STDOUT)
    stack.subprocess = recorder  # type: ignore[assignment]  # records the commands, starts nothing
    try:
        stack.Stack(Settings(), tmp_path).start_services()
    finally:
        stack.subprocess = real
    return started


def any_port(args: list[str]) -> list[str]:
    """The port differs (8000 in every container, 8101.. on one machine); the rest must not."""
    return ["PORT" if re.fullmatch(r"\d+", a) else a for a in args]


def test_the_compose_file_validates_against_the_compose_specification(compose):
    assert set(compose["services"]) >= {"nats-1", "nats-2", "nats-3", "postgres"}


def test_the_validator_rejects_a_compose_file_that_breaks_the_specification(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE.read_text(encoding="utf-8").replace(
            "    restart: unless-stopped\n", "    restart_policy: always\n", 1
        ),
        encoding="utf-8",
    )
    report = node_report("compose", broken, SPEC)
    assert not report["valid"]
    assert any(
        e.get("params", {}).get("additionalProperty") == "restart_policy" for e in report["errors"]
    )


def test_three_nats_nodes_form_one_jetstream_cluster_and_streams_get_three_replicas(compose):
    nodes = {
        name: s
        for name, s in compose["services"].items()
        if s.get("image", "").startswith("nats:2.11")
    }
    assert sorted(nodes) == ["nats-1", "nats-2", "nats-3"]
    for name, node in nodes.items():
        flags = dict(arg.lstrip("-").partition("=")[::2] for arg in node["command"])
        assert "jetstream" in flags and flags["name"] == name and flags["cluster_name"] == "shegong"
        assert sorted(flags["routes"].split(",")) == [f"nats://{n}:6222" for n in sorted(nodes)]
        assert "nats" in node["networks"]["default"]["aliases"]
        assert "healthz?js-enabled-only=true" in " ".join(node["healthcheck"]["test"])
    for name in catalogue.services():
        env = compose["services"][name]["environment"]
        assert env["SHEGONG_STREAM_REPLICAS"] == "3"
        assert env["NATS_URL"] == "nats://nats:4222"
        assert env["DATABASE_URL"].endswith("@postgres:5432/shegong")


def test_each_service_container_runs_what_shegong_up_runs(compose, tmp_path):
    up = commands_of_shegong_up(tmp_path)
    assert set(up) == set(catalogue.services()) and up, "no service installed"
    [script] = [ep for ep in entry_points(group="console_scripts") if ep.name == "shegong"]
    assert (
        script.value == "shegong_runtime.cli:main"
    )  # `shegong` is `python -m shegong_runtime.cli`
    for name, argv in up.items():
        assert argv[:3] == [sys.executable, "-m", "shegong_runtime.cli"]
        container = compose["services"][name]["command"]
        assert container[0] == "shegong"
        assert any_port(container[1:]) == any_port(argv[3:]), (
            f"{name}: {container} is not what shegong up runs"
        )
        assert compose["services"][name]["build"] == "."


def test_service_containers_have_readiness_checks_and_can_be_scaled(compose):
    for name in catalogue.services():
        service = compose["services"][name]
        assert "container_name" not in service
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
        for port in service.get("ports", []):
            text = port if isinstance(port, str) else str(port.get("published", ""))
            assert ":" not in str(text) and "published" not in str(port), (
                f"{name} pins a host port: {port}"
            )
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_dockerfile_builds_from_the_lock_file_and_copies_only_what_exists():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen --no-dev" in text
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _ = line.split()[1:]
            assert all((ROOT / s).exists() for s in sources), line
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"uv.lock", "pyproject.toml", "libs", "services"} & set(ignored)


def test_the_nats_nodes_run_the_settings_the_embedded_cluster_runs(compose):
    """One source for a node's flags: the reliability suite's cluster and the compose cluster."""
    from shegong_runtime.cluster import COMPOSE_NODES, compose_node_args

    for name in COMPOSE_NODES:
        assert compose["services"][name]["command"] == compose_node_args(name)


def test_one_service_runs_on_a_postgresql_of_its_own(compose):
    visits = compose["services"]["visits"]
    own = visits["environment"]["SHEGONG_VISITS_DATABASE_URL"]
    assert "@postgres-visits:5432/" in own and compose["services"]["postgres-visits"][
        "image"
    ].startswith("postgres:")
    assert visits["depends_on"]["postgres-visits"]["condition"] == "service_healthy"

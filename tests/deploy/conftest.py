"""The manifests rendered once per pytest run, with the machine's kubectl (its kustomize)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = sorted(p.parent.name for p in (KUBERNETES / "overlays").glob("*/kustomization.yaml"))
# kustomize v5 (kubectl 1.27+) reads `labels`, `components` and patches with targets the same
# way; Debian's kubernetes-client (1.20) is too old for them
OLDEST_KUBECTL = (1, 27)


def kubectl() -> str:
    """kubectl from the machine image. CI runs on a machine that has it: there its absence
    fails; elsewhere the tests that render are skipped with the reason."""
    found = shutil.which("kubectl")
    if found is None:
        message = "kubectl is not installed: the manifests cannot be rendered (docs/kubernetes.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    out = subprocess.run(
        [found, "version", "--client"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Client Version: v(\d+)\.(\d+)", out)
    assert match, f"kubectl version not understood: {out!r}"
    version = (int(match[1]), int(match[2]))
    assert version >= OLDEST_KUBECTL, (
        f"kubectl {version} is older than {OLDEST_KUBECTL}: its kustomize cannot render these"
    )
    return found


def render(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [kubectl(), "kustomize", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"kubectl kustomize {path} failed:\n{done.stderr}"
    return [d for d in yaml.safe_load_all(done.stdout) if d]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay's objects, by overlay name."""
    return {name: render(KUBERNETES / "overlays" / name) for name in OVERLAYS}


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def env(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container(deployment)["env"]}


def load(name: str) -> Any:
    """A script of deploy/kubernetes as a module (they are run, not installed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"deploy_{name}", KUBERNETES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def services(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services' Deployments (not the operators' `ops`)."""
    return {
        name: d
        for name, d in of_kind(objects, "Deployment").items()
        if d["metadata"]["labels"].get("app.kubernetes.io/component") == "service"
    }

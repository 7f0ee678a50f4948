"""Writes the generated part of the kustomize base from the code and docker-compose.yml, so the
cluster runs what the embedded stack and the compose file run:

- `base/nats/auth.conf`: the users of `shegong_runtime.nats_auth`, each password a reference to
  an environment variable (`$SHEGONG_NATS_PASSWORD_<USER>`) the NATS pods take from a Secret;
- `base/nats/nats.yaml`: the three-node JetStream StatefulSet whose flags are
  `shegong_runtime.cluster.node_args`;
- `base/services/<name>.yaml`: per service a Deployment (the compose service's command and
  environment, secrets from Secrets), its Service, PodDisruptionBudget, HorizontalPodAutoscaler
  and NetworkPolicy;
- `base/ops.yaml`: the operators' pod, the compose file's `ops`;
- `base/ingress.yaml`: one host per service;
- `base/observability/shegong.json`: the Grafana dashboard of observability/ (kustomize reads
  files only below the kustomization).

The objects are built in `manifests/`, one module per part.

Run `uv run python deploy/kubernetes/generate.py` after changing any of those sources;
tests/deploy fails while the committed files differ (`--check` says which).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the `manifests` beside this file

from manifests.common import BASE, DASHBOARD, HEADER, ROOT, compose
from manifests.ingress import ingress_objects
from manifests.nats import nats_auth_conf, nats_objects
from manifests.ops import ops_objects
from manifests.services import service_objects
from shegong_runtime import nats_auth


class _Dumper(yaml.SafeDumper):
    """Sequences indented under their key, as the hand-written manifests (and yamllint) have them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(objects: list[dict[str, Any]], source: str) -> str:
    body = "---\n".join(
        yaml.dump(o, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        for o in objects
    )
    return HEADER.format(source=source) + "---\n" + body


def files() -> dict[Path, str]:
    """Every generated file and its text."""
    services = {
        name: spec for name, spec in compose()["services"].items() if name in nats_auth.SERVICES
    }
    out = {
        BASE / "nats" / "auth.conf": nats_auth_conf(),
        BASE / "nats" / "nats.yaml": dump(nats_objects(), "shegong_runtime.cluster.node_args"),
        BASE / "observability" / "shegong.json": DASHBOARD.read_text(encoding="utf-8"),
    }
    out[BASE / "ingress.yaml"] = dump(ingress_objects(list(services)), "the services")
    out[BASE / "ops.yaml"] = dump(
        ops_objects(compose()["services"]["ops"]), "docker-compose.yml's ops"
    )
    for name, spec in services.items():
        out[BASE / "services" / f"{name}.yaml"] = dump(
            service_objects(name, spec), f"docker-compose.yml's {name}"
        )
    return out


def main(argv: list[str]) -> int:
    stale = [p for p, text in files().items() if not p.exists() or p.read_text("utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for path, text in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files())} files, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Every overlay renders with kubectl's kustomize, every object it makes is valid against the
Kubernetes schemas (kubernetes-validate, strict: an unknown field is an error) or, for the
custom resources, against the minimal schemas in schemas/, and the YAML is lint-clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from kubernetes_validate.utils import all_versions

from .conftest import KUBERNETES, OVERLAYS, ROOT

# the oldest Kubernetes the manifests are for (matchLabelKeys in topology spread constraints is
# on by default from 1.27; CloudNativePG 1.26 supports 1.30 and later), and the newest known
KUBERNETES_VERSIONS = ("1.30.0", all_versions()[-1])
SCHEMAS = Path(__file__).parent / "schemas"
CUSTOM = {
    ("postgresql.cnpg.io/v1", "Cluster"): "cluster-postgresql-v1.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "scheduledbackup-postgresql-v1.json",
    ("barmancloud.cnpg.io/v1", "ObjectStore"): "objectstore-barmancloud-v1.json",
}


def test_there_are_the_overlays_the_docs_describe():
    assert {"small", "production", "external-database"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_a_whole_system(rendered, overlay):
    kinds = {o["kind"] for o in rendered[overlay]}
    assert {"StatefulSet", "Deployment", "Service", "PodDisruptionBudget"} <= kinds
    assert {"HorizontalPodAutoscaler", "NetworkPolicy", "Ingress", "ConfigMap"} <= kinds
    assert all(
        o["metadata"].get("namespace") == "shegong"
        for o in rendered[overlay]
        if o["kind"] != "Namespace"
    )


def validate(obj: dict[str, Any], version: str) -> None:
    key = (obj["apiVersion"], obj["kind"])
    if key in CUSTOM:
        schema = json.loads((SCHEMAS / CUSTOM[key]).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(obj)
    else:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_its_schema(rendered, overlay, version):
    failures = []
    for obj in rendered[overlay]:
        try:
            validate(obj, version)
        except (jsonschema.ValidationError, kubernetes_validate.utils.SchemaNotFoundError) as e:
            where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
            failures.append(
                f"{obj['kind']}/{obj['metadata']['name']} {where}: {getattr(e, 'message', e)}"
            )
    assert not failures, "\n".join(failures)


def test_the_validation_refuses_a_misspelt_field(rendered):
    """The check above can fail: a field Kubernetes does not know, and one CloudNativePG does not."""
    objects = rendered["small"]
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    wrong = json.loads(json.dumps(deployment))
    wrong["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(jsonschema.ValidationError):
        validate(wrong, KUBERNETES_VERSIONS[0])
    cluster = json.loads(json.dumps(next(o for o in objects if o["kind"] == "Cluster")))
    cluster["spec"]["postgresql"]["paramaters"] = {}
    with pytest.raises(jsonschema.ValidationError):
        validate(cluster, KUBERNETES_VERSIONS[0])


def test_the_yaml_is_lint_clean():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "yamllint",
            "--strict",
            "-c",
            str(KUBERNETES / ".yamllint.yaml"),
            str(KUBERNETES),
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr

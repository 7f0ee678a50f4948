"""The operators' pod, the compose file's `ops`."""

from __future__ import annotations

import json
from typing import Any

from manifests.common import DATABASES, DNS, NATS_NAME, labels, selector
from manifests.services import service_objects


def ops_objects(service: dict[str, Any]) -> list[dict[str, Any]]:
    """The compose file's `ops`: a pod with the image, as the NATS `operator`, reaching both
    databases, kept at no replicas until needed (`kubectl scale deploy/ops --replicas=1`, then
    `kubectl exec deploy/ops -- shegong status`). A service's own pod may not re-drive."""
    deployment, *_ = service_objects("ops", service)
    deployment = json.loads(json.dumps(deployment))
    deployment["metadata"]["labels"] = labels("ops", "ops")
    deployment["spec"]["replicas"] = 0
    pod = deployment["spec"]["template"]
    pod["metadata"]["labels"] = {
        **labels("ops", "ops"),
        "shegong.io/nats-client": "true",
        "shegong.io/database": "postgres",
    }
    del pod["metadata"]["annotations"]  # nothing to scrape
    (c,) = pod["spec"]["containers"]
    c["command"] = ["sleep", "infinity"]  # `kubectl exec` runs the tools
    for probe in ("startupProbe", "livenessProbe", "readinessProbe", "lifecycle", "ports"):
        del c[probe]
    c["env"] = [e for e in c["env"] if e["name"] != "SHEGONG_DATABASE_POOL_SIZE"]
    c["env"].append(  # `DATABASE_URL=$SHEGONG_VISITS_DATABASE_URL shegong status` for visits
        {
            "name": "SHEGONG_VISITS_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "postgres-visits-app", "key": "uri"}},
        }
    )
    c["resources"] = {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "ops", "labels": labels("ops", "ops")},
        "spec": {
            "podSelector": {"matchLabels": selector("ops")},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [
                {
                    "to": [{"podSelector": {"matchLabels": selector(NATS_NAME)}}],
                    "ports": [{"protocol": "TCP", "port": 4222}],
                },
                {
                    "to": [
                        {"podSelector": {"matchLabels": {"cnpg.io/cluster": db}}}
                        for db in DATABASES.values()
                    ],
                    "ports": [{"protocol": "TCP", "port": 5432}],
                },
                DNS,
            ],
        },
    }
    return [deployment, policy]

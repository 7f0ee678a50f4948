"""A service: the compose service's command and environment in a Deployment, secrets by
reference, and its Service, PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy."""

from __future__ import annotations

import re
from typing import Any

from shegong_runtime import nats_auth

from manifests.common import (
    DATABASES,
    DNS,
    EXTRA_ENV,
    HTTP_PORT,
    INGRESS_CONTROLLER,
    MONITORING,
    NATS_NAME,
    NATS_USERS,
    SECRET_VARIABLES,
    SECRETS,
    SENDS_OUT,
    UPSTREAMS,
    compose_value,
    labels,
    selector,
)


def env_of(name: str, service: dict[str, Any]) -> list[dict[str, Any]]:
    """The compose service's environment, secrets by reference, then what Kubernetes adds."""
    out: list[dict[str, Any]] = []
    user = service["environment"].get("SHEGONG_NATS_USER", name)
    for key, value in service["environment"].items():
        if key in DATABASES:
            ref = {"name": f"{DATABASES[key]}-app", "key": "uri"}
            out.append({"name": key, "valueFrom": {"secretKeyRef": ref}})
        elif key in SECRET_VARIABLES:
            out.append({"name": key, "valueFrom": {"secretKeyRef": {"name": SECRETS, "key": key}}})
        elif key == "SHEGONG_NATS_PASSWORD":
            ref = {"name": NATS_USERS, "key": nats_auth.password_variable(user)}
            out.append({"name": key, "valueFrom": {"secretKeyRef": ref}})
        elif re.search(r"(?<!REQUIRE_)(SECRETS?|PASSWORD|KEY)$", key):
            raise ValueError(
                f"{key}: a secret the manifests do not know; add it to SECRET_VARIABLES"
            )
        else:
            out.append({"name": key, "value": compose_value(value)})
    for key, value in {**EXTRA_ENV["*"], **EXTRA_ENV.get(name, {})}.items():
        if isinstance(value, dict):
            ref = {"name": value["secret"], "key": key}
            out.append({"name": key, "valueFrom": {"secretKeyRef": ref}})
        else:
            out.append({"name": key, "value": value})
    return out


def database_of(service: dict[str, Any]) -> str:
    """The cluster a service's process connects to: its own URL when it has one."""
    own = [k for k in service["environment"] if k in DATABASES and k != "DATABASE_URL"]
    return DATABASES[own[0]] if own else DATABASES["DATABASE_URL"]


def service_objects(name: str, service: dict[str, Any]) -> list[dict[str, Any]]:
    database = database_of(service)
    pod_labels = {
        **labels(name, "service"),
        "shegong.io/nats-client": "true",  # let through by the NATS NetworkPolicy
        "shegong.io/database": database,  # let through by its database's NetworkPolicy
    }
    http_probe = {"httpGet": {"path": "/livez", "port": "http"}, "timeoutSeconds": 3}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name, "service")},
        "spec": {
            # no `replicas`: the HorizontalPodAutoscaler owns the count
            "revisionHistoryLimit": 5,
            # one new replica beside the old ones, none taken away before it is ready: the
            # previous and the new release run side by side (DESIGN.md guarantee 11)
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            },
            "selector": {"matchLabels": selector(name)},
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(HTTP_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    # the process finishes the batch in hand within 15 s of SIGTERM (service.py)
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,  # the Dockerfile's `shegong` user
                        "runAsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "shegong",
                            "image": "shegong",
                            "command": service["command"],
                            "ports": [{"name": "http", "containerPort": HTTP_PORT}],
                            "env": env_of(name, service),
                            # docs/capacity.md: 85-95 MB resident idle or under load; a whole
                            # stack at 100 commands/s takes about 1.2 cores beside PostgreSQL
                            "resources": {
                                "requests": {"cpu": "250m", "memory": "128Mi"},
                                "limits": {"cpu": "1", "memory": "384Mi"},
                            },
                            # the app answers once its pool, bus and streams are up (≤ 60 s)
                            "startupProbe": {
                                **http_probe,
                                "periodSeconds": 2,
                                "failureThreshold": 60,
                            },
                            "livenessProbe": {
                                **http_probe,
                                "periodSeconds": 10,
                                "failureThreshold": 3,
                            },
                            # 503 while PostgreSQL or NATS is away, or a relay or projection stopped
                            "readinessProbe": {
                                "httpGet": {"path": "/readyz", "port": "http"},
                                "timeoutSeconds": 3,
                                "periodSeconds": 5,
                                "failureThreshold": 2,
                            },
                            # leave the Service's endpoints before SIGTERM reaches the process
                            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels(name, "service")},
        "spec": {
            "selector": selector(name),
            "ports": [{"name": "http", "port": HTTP_PORT, "targetPort": "http"}],
        },
    }
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "labels": labels(name, "service")},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(name)}},
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "labels": labels(name, "service")},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
            # a replica that leaves hands its partitions over: scale down slowly
            "behavior": {
                "scaleDown": {
                    "stabilizationWindowSeconds": 300,
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                }
            },
        },
    }
    return [deployment, svc, pdb, hpa, network_policy(name, database)]


def network_policy(name: str, database: str) -> dict[str, Any]:
    http = [{"protocol": "TCP", "port": HTTP_PORT}]
    ingress = [
        {"from": [{"namespaceSelector": INGRESS_CONTROLLER}], "ports": http},
        {"from": [{"namespaceSelector": MONITORING}], "ports": http},
    ]
    callers = [caller for caller, upstreams in UPSTREAMS.items() if name in upstreams]
    if callers:
        peers = [{"podSelector": {"matchLabels": selector(c)}} for c in callers]
        ingress.append({"from": peers, "ports": http})
    egress = [
        {
            "to": [{"podSelector": {"matchLabels": selector(NATS_NAME)}}],
            "ports": [{"protocol": "TCP", "port": 4222}],
        },
        {
            "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": database}}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
        DNS,
    ]
    if name in UPSTREAMS:
        peers = [{"podSelector": {"matchLabels": selector(u)}} for u in UPSTREAMS[name]]
        egress.append({"to": peers, "ports": http})
    if name in SENDS_OUT:
        ports = [{"protocol": "TCP", "port": p} for p in SENDS_OUT[name]]
        egress.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": ports})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "labels": labels(name, "service")},
        "spec": {
            "podSelector": {"matchLabels": selector(name)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }

"""The three-node JetStream cluster: `cluster.node_args` in a StatefulSet, `nats_auth`'s users
with their passwords from a Secret."""

from __future__ import annotations

from typing import Any

from shegong_runtime import cluster, nats_auth

from manifests.common import (
    DNS,
    MONITORING,
    NATS_CONFIG,
    NATS_HEADLESS,
    NATS_NAME,
    NATS_NODES,
    NATS_REPLICAS,
    NATS_USERS,
    POD_NAME,
    compose,
    labels,
    selector,
)


def nats_args() -> list[str]:
    return cluster.node_args(
        POD_NAME,
        store_dir="/data",
        http_port=8222,
        cluster_listen="nats://0.0.0.0:6222",
        routes=[f"nats://{node}.{NATS_HEADLESS}:6222" for node in NATS_NODES],
        config=NATS_CONFIG,
    )


def nats_auth_conf() -> str:
    """nats_auth's users with `$SHEGONG_NATS_PASSWORD_<USER>` for each password: the server reads
    the variable from its environment (the Secret), so this file holds no secret."""
    names = [nats_auth.OPERATOR, nats_auth.INTEGRATOR, *nats_auth.SERVICES]
    text = nats_auth.render(nats_auth.SERVICES, {n: f"@{n}@" for n in names})
    for n in names:
        text = text.replace(f'"@{n}@"', f"${nats_auth.password_variable(n)}")
    return text


def nats_objects() -> list[dict[str, Any]]:
    image = compose()["services"]["nats-1"]["image"]
    probe = {"httpGet": {"path": "/healthz?js-enabled-only=true", "port": "monitor"}}
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": NATS_NAME, "labels": labels(NATS_NAME, "bus")},
        "spec": {
            "serviceName": NATS_HEADLESS,
            "replicas": NATS_REPLICAS,
            "podManagementPolicy": "Parallel",  # the three must meet to elect a meta leader
            "selector": {"matchLabels": selector(NATS_NAME)},
            "template": {
                "metadata": {"labels": labels(NATS_NAME, "bus")},
                "spec": {
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": 60,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 1000,
                        "runAsGroup": 1000,
                        "fsGroup": 1000,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "nats",
                            "image": image,
                            "command": ["nats-server"],
                            "args": nats_args(),
                            "env": [
                                {
                                    "name": "POD_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                }
                            ],
                            # the users' passwords, referenced as $SHEGONG_NATS_PASSWORD_<USER>
                            "envFrom": [{"secretRef": {"name": NATS_USERS}}],
                            "ports": [
                                {"name": "client", "containerPort": 4222},
                                {"name": "cluster", "containerPort": 6222},
                                {"name": "monitor", "containerPort": 8222},
                            ],
                            "resources": {
                                "requests": {"cpu": "250m", "memory": "256Mi"},
                                "limits": {"cpu": "2", "memory": "1Gi"},
                            },
                            "startupProbe": {**probe, "periodSeconds": 5, "failureThreshold": 120},
                            "livenessProbe": {**probe, "periodSeconds": 30, "failureThreshold": 3},
                            "readinessProbe": {
                                "httpGet": {
                                    "path": "/healthz?js-server-only=true",
                                    "port": "monitor",
                                },
                                "periodSeconds": 10,
                                "failureThreshold": 3,
                            },
                            # lame duck mode: clients move to the other nodes before this one stops
                            "lifecycle": {
                                "preStop": {
                                    "exec": {"command": ["nats-server", "--signal", "ldm=1"]}
                                }
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [
                                {"name": "data", "mountPath": "/data"},
                                {"name": "config", "mountPath": "/etc/nats", "readOnly": True},
                            ],
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": "nats-auth"}}],
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "20Gi"}},
                    },
                }
            ],
        },
    }
    client = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": NATS_NAME, "labels": labels(NATS_NAME, "bus")},
        "spec": {
            "selector": selector(NATS_NAME),
            "ports": [{"name": "client", "port": 4222, "targetPort": "client"}],
        },
    }
    headless = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": NATS_HEADLESS, "labels": labels(NATS_NAME, "bus")},
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,  # routes resolve before the nodes are ready
            "selector": selector(NATS_NAME),
            "ports": [
                {"name": "client", "port": 4222, "targetPort": "client"},
                {"name": "cluster", "port": 6222, "targetPort": "cluster"},
                {"name": "monitor", "port": 8222, "targetPort": "monitor"},
            ],
        },
    }
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": NATS_NAME, "labels": labels(NATS_NAME, "bus")},
        # R3 streams keep a quorum with one node away, never two
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(NATS_NAME)}},
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": NATS_NAME, "labels": labels(NATS_NAME, "bus")},
        "spec": {
            "podSelector": {"matchLabels": selector(NATS_NAME)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {  # clients: the services, and pods an operator labels (ops, integrators)
                    "from": [
                        {
                            "namespaceSelector": {},
                            "podSelector": {"matchLabels": {"shegong.io/nats-client": "true"}},
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": 4222}],
                },
                {
                    "from": [{"podSelector": {"matchLabels": selector(NATS_NAME)}}],
                    "ports": [{"protocol": "TCP", "port": 6222}],
                },
                {
                    "from": [{"namespaceSelector": MONITORING}],
                    "ports": [{"protocol": "TCP", "port": 8222}],
                },
            ],
            "egress": [
                {
                    "to": [{"podSelector": {"matchLabels": selector(NATS_NAME)}}],
                    "ports": [{"protocol": "TCP", "port": 6222}],
                },
                DNS,
            ],
        },
    }
    return [statefulset, client, headless, pdb, policy]

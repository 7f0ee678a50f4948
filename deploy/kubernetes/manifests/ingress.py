"""The Ingress: one host per service over TLS, the operations paths kept inside."""

from __future__ import annotations

from typing import Any

DOMAIN = "shegong.example.org"  # overlays set their own hosts
OPERATIONS = ("/metrics", "/readyz", "/healthz", "/livez")  # answered inside the cluster only


def ingress_objects(names: list[str]) -> list[dict[str, Any]]:
    """One host per service over TLS; the operations paths go to a Service without endpoints."""
    hidden = {"service": {"name": "not-exposed", "port": {"number": 80}}}
    rules = [
        {
            "host": f"{name}.{DOMAIN}",
            "http": {
                "paths": [
                    *({"path": p, "pathType": "Exact", "backend": hidden} for p in OPERATIONS),
                    {
                        "path": "/",
                        "pathType": "Prefix",
                        "backend": {"service": {"name": name, "port": {"name": "http"}}},
                    },
                ]
            },
        }
        for name in names
    ]
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "shegong",
            # SHEGONG_HTTP_MAX_BODY_BYTES: the service answers 413 itself past 1 MiB
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "2m"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"secretName": "shegong-tls", "hosts": [r["host"] for r in rules]}],
            "rules": rules,
        },
    }
    not_exposed = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "not-exposed"},
        # selects no pod: the ingress controller answers 503 for what is routed here
        "spec": {"selector": {"shegong.io/not-exposed": "none"}, "ports": [{"port": 80}]},
    }
    return [ingress, not_exposed]

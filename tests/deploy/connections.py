"""The PostgreSQL connections a rendered install can open, against each server's limit.

A process opens SHEGONG_DATABASE_POOL_SIZE pooled connections, one more for its relay's lock
(a write service) and one per projection for its partition leases (`<service>_stations` and the
service's own; `nats_auth.CONSUMERS` lists them, checked against the services by
tests/foundation). A Deployment runs up to its HPA's maxReplicas plus its rolling update's
maxSurge. RESERVED keeps room for PostgreSQL's superuser slots (3), CloudNativePG's instance
manager and metrics (5) and one operator's `shegong` tool in the `ops` pod (a pool of 10,
plus 2).
"""

from __future__ import annotations

from typing import Any

from shegong_runtime import nats_auth

RESERVED = 20


def per_process(service: str) -> int:
    relay = 1 if nats_auth.SERVICES[service] else 0
    return relay + len(nats_auth.CONSUMERS[service])


def database_of(deployment: dict[str, Any]) -> str:
    """The server a service's process uses: its own URL's Secret, else DATABASE_URL's."""
    name = deployment["metadata"]["name"]
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    chosen = env.get(f"SHEGONG_{name.upper()}_DATABASE_URL") or env["DATABASE_URL"]
    secret = chosen["valueFrom"]["secretKeyRef"]["name"]
    assert secret.endswith("-app"), f"{name}: its database URL is not a `<server>-app` Secret"
    return secret.removesuffix("-app")


def max_connections(objects: list[dict[str, Any]], server: str, deployment: dict[str, Any]) -> int:
    """A CloudNativePG cluster's parameter, or what an external server's overlay states."""
    for o in objects:
        if o["kind"] == "Cluster" and o["metadata"]["name"] == server:
            return int(o["spec"]["postgresql"]["parameters"]["max_connections"])
    stated = (
        deployment["metadata"].get("annotations", {}).get("shegong.io/database-max-connections")
    )
    assert stated, f"{server}: neither a Cluster nor a stated max_connections"
    return int(stated)


def budget(objects: list[dict[str, Any]]) -> dict[str, tuple[int, int, list[str]]]:
    """Per server: connections at the most replicas, its max_connections, and the sum's terms."""
    hpas = {
        o["spec"]["scaleTargetRef"]["name"]: o
        for o in objects
        if o["kind"] == "HorizontalPodAutoscaler"
    }
    out: dict[str, tuple[int, int, list[str]]] = {}
    for d in objects:
        if d["kind"] != "Deployment" or d["metadata"]["name"] not in hpas:
            continue  # `ops`: its tools are in RESERVED
        name = d["metadata"]["name"]
        env = {e["name"]: e for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
        pool = int(env["SHEGONG_DATABASE_POOL_SIZE"]["value"])
        pods = hpas[name]["spec"]["maxReplicas"] + int(
            d["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
        )
        server = database_of(d)
        used, limit, terms = out.get(server, (RESERVED, 0, [f"reserved {RESERVED}"]))
        opened = pods * (pool + per_process(name))
        limit = max_connections(objects, server, d)
        out[server] = (
            used + opened,
            limit,
            [*terms, f"{name} {pods} x ({pool} + {per_process(name)})"],
        )
    return out

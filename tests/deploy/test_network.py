"""Least privilege on the network: a service reaches NATS, its own PostgreSQL and DNS (the
workbench also the four APIs it calls, notifications also mail and webhooks), and is reached on
its HTTP port only; only the services are behind the Ingress, never NATS or PostgreSQL, and the
operations paths stay inside the cluster."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from . import connections
from .conftest import OVERLAYS, env, of_kind, services

NATS = {"app.kubernetes.io/name": "nats", "app.kubernetes.io/part-of": "shegong"}
DNS = {"k8s-app": "kube-dns"}
OUTBOUND = {"notifications": {25, 465, 587, 80, 443}}  # SMTP and recipients' webhooks


def allowed_egress(policy: dict[str, Any]) -> set[tuple[str, int]]:
    """(where, port) pairs: a pod's app name, `cnpg:<cluster>`, `dns`, `nats` or `anywhere`."""
    out = set()
    for rule in policy["spec"].get("egress", []):
        assert rule.get("to"), f"{policy['metadata']['name']}: an egress rule to everywhere"
        assert rule.get("ports"), f"{policy['metadata']['name']}: an egress rule on every port"
        for peer in rule["to"]:
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if labels == NATS:
                where = "nats"
            elif labels == DNS:
                where = "dns"
            elif "cnpg.io/cluster" in labels:
                where = f"cnpg:{labels['cnpg.io/cluster']}"
            elif "app.kubernetes.io/name" in labels:
                where = labels["app.kubernetes.io/name"]
            elif "ipBlock" in peer:
                where = (
                    "anywhere"
                    if peer["ipBlock"]["cidr"] == "0.0.0.0/0"
                    else f"ip:{peer['ipBlock']['cidr']}"
                )
            else:
                raise AssertionError(f"{policy['metadata']['name']}: egress to {peer}")
            out |= {(where, p["port"]) for p in rule["ports"]}
    return out


def policy_for(objects: list[dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        p
        for p in of_kind(objects, "NetworkPolicy").values()
        if p["spec"]["podSelector"].get("matchLabels")
        and all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items())
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_only_nats_their_own_database_and_what_they_call(rendered, overlay):
    objects = rendered[overlay]
    external = not of_kind(objects, "Cluster")
    for name, d in services(objects).items():
        labels = d["spec"]["template"]["metadata"]["labels"]
        (policy,) = policy_for(objects, labels)
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        reach = allowed_egress(policy)
        database = connections.database_of(d)
        own = {("nats", 4222), ("dns", 53)}
        own |= {w for w in reach if w[1] == 5432} if external else {(f"cnpg:{database}", 5432)}
        if external:
            assert [w for w in reach if w[1] == 5432 and w[0].startswith("ip:")], name
        calls = {
            (urlsplit(e["value"]).hostname, urlsplit(e["value"]).port)
            for key, e in env(d).items()
            if key.startswith(f"SHEGONG_{name.upper()}_") and key.endswith("_URL") and "value" in e
        }
        outbound = {("anywhere", p) for p in OUTBOUND.get(name, ())}
        assert reach == own | calls | outbound, (
            f"{name}: {reach - own - calls - outbound} beyond its needs"
        )
        assert labels["shegong.io/database"] == database
        for rule in policy["spec"]["ingress"]:
            assert [p["port"] for p in rule["ports"]] == [8000], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_and_postgres_take_clients_only_from_labelled_pods(rendered, overlay):
    objects = rendered[overlay]
    nats = of_kind(objects, "StatefulSet")["nats"]
    (policy,) = policy_for(objects, nats["spec"]["template"]["metadata"]["labels"])
    clients = [r for r in policy["spec"]["ingress"] if {p["port"] for p in r["ports"]} == {4222}]
    assert [peer["podSelector"]["matchLabels"] for r in clients for peer in r["from"]] == [
        {"shegong.io/nats-client": "true"}
    ]
    assert allowed_egress(policy) == {("nats", 6222), ("dns", 53)}
    for cluster in of_kind(objects, "Cluster"):
        (policy,) = policy_for(objects, {"cnpg.io/cluster": cluster})
        sql = [
            r
            for r in policy["spec"]["ingress"]
            if {p["port"] for p in r.get("ports", [])} == {5432}
        ]
        peers = [peer["podSelector"]["matchLabels"] for r in sql for peer in r["from"]]
        assert peers == [
            {"shegong.io/database": cluster},
            {"app.kubernetes.io/name": "ops", "app.kubernetes.io/part-of": "shegong"},
            {"cnpg.io/cluster": cluster},
        ]
    (deny,) = [
        p for p in of_kind(objects, "NetworkPolicy").values() if p["spec"]["podSelector"] == {}
    ]
    assert deny["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in deny["spec"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_services_are_exposed_and_not_their_operations_paths(rendered, overlay):
    objects = rendered[overlay]
    exposable = set(services(objects))
    (ingress,) = of_kind(objects, "Ingress").values()
    exposed = set()
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]["name"]
            if path["path"] in ("/metrics", "/readyz", "/healthz", "/livez"):
                assert (backend, path["pathType"]) == ("not-exposed", "Exact"), rule["host"]
            else:
                exposed.add(backend)
        assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    assert exposed == exposable
    hidden = of_kind(objects, "Service")["not-exposed"]["spec"]["selector"]
    pods = [
        o["spec"]["template"]["metadata"]["labels"]
        for o in objects
        if "template" in o.get("spec", {})
    ]
    assert not [p for p in pods if all(p.get(k) == v for k, v in hidden.items())]
    for name, svc in of_kind(objects, "Service").items():
        assert svc["spec"].get("type", "ClusterIP") == "ClusterIP", (
            f"{name} is exposed past the Ingress"
        )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_operators_pod_reaches_nats_and_both_databases_and_is_reached_by_nothing(
    rendered, overlay
):
    objects = rendered[overlay]
    if not of_kind(objects, "Cluster"):
        return  # an external server: the overlay's own addresses
    ops = of_kind(objects, "Deployment")["ops"]
    (policy,) = policy_for(objects, ops["spec"]["template"]["metadata"]["labels"])
    assert policy["spec"]["ingress"] == []
    assert allowed_egress(policy) == {
        ("nats", 4222),
        ("dns", 53),
        ("cnpg:postgres", 5432),
        ("cnpg:postgres-visits", 5432),
    }

"""What every overlay must hold for the services: probes on paths the services serve, limits, a
PodDisruptionBudget and an autoscaler each, rolling one replica at a time, the compose file's
environment, and PostgreSQL connections within each server's max_connections."""

from __future__ import annotations

import copy
import re

import httpx
import pytest
from shegong_runtime import catalogue, nats_auth

from . import connections
from .conftest import OVERLAYS, compose, container, env, of_kind, services

SERVICES = list(nats_auth.SERVICES)
# what the manifests add to the compose file's environment (docs/kubernetes.md says why)
ADDED = {
    "SHEGONG_REQUIRE_SECRETS",
    "SHEGONG_DATABASE_POOL_SIZE",
    "SHEGONG_NOTIFICATIONS_WEBHOOK_SECRET",
    "SHEGONG_WORKBENCH_SECURE_COOKIE",
}
FROM_SECRETS = re.compile(r"(?<!REQUIRE_)(SECRETS?|PASSWORD|MASTER_KEY|DATABASE_URL)$")


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_probes_limits_a_disruption_budget_and_an_autoscaler(rendered, overlay):
    objects = rendered[overlay]
    deployments = services(objects)
    assert sorted(deployments) == sorted(SERVICES)
    budgets = of_kind(objects, "PodDisruptionBudget").values()
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in of_kind(objects, "HorizontalPodAutoscaler").values()
    }
    for name, d in deployments.items():
        c = container(d)
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert c["livenessProbe"]["httpGet"]["path"] == "/livez", name
        assert c["startupProbe"]["httpGet"]["path"] == "/livez", name
        for need in ("cpu", "memory"):
            assert c["resources"]["requests"][need] and c["resources"]["limits"][need], (name, need)
        labels = d["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if matches(b["spec"]["selector"]["matchLabels"], labels)]
        assert len(covering) == 1, f"{name}: {len(covering)} PodDisruptionBudgets"
        assert covering[0]["spec"].get("maxUnavailable") == 1 or covering[0]["spec"].get(
            "minAvailable"
        )
        hpa = autoscalers[name]["spec"]
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"], name
        assert "replicas" not in d["spec"], f"{name}: the autoscaler owns the replica count"
        # guarantee 11: old and new release side by side, replaced one replica at a time
        rolling = d["spec"]["strategy"]["rollingUpdate"]
        assert (rolling["maxSurge"], rolling["maxUnavailable"]) == (1, 0), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_has_probes_limits_and_a_budget_that_keeps_a_quorum(rendered, overlay):
    objects = rendered[overlay]
    nats = of_kind(objects, "StatefulSet")["nats"]
    c = container(nats)
    assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(c)
    assert c["resources"]["limits"]["memory"] and c["resources"]["limits"]["cpu"]
    (budget,) = [
        b
        for b in of_kind(objects, "PodDisruptionBudget").values()
        if matches(
            b["spec"]["selector"]["matchLabels"], nats["spec"]["template"]["metadata"]["labels"]
        )
    ]
    assert budget["spec"]["maxUnavailable"] == 1  # two of three nodes stay: R3 keeps its quorum


async def test_the_probe_and_scrape_paths_are_served_by_every_service(rendered):
    """The paths the manifests probe and scrape exist in each service's app, and /livez
    answers without PostgreSQL or NATS (a liveness probe must not fail with them)."""
    deployments = services(rendered["production"])
    for name in SERVICES:
        c = container(deployments[name])
        template = deployments[name]["spec"]["template"]
        wanted = {
            c["readinessProbe"]["httpGet"]["path"],
            c["livenessProbe"]["httpGet"]["path"],
            c["startupProbe"]["httpGet"]["path"],
            template["metadata"]["annotations"]["prometheus.io/path"],
        }
        assert template["metadata"]["annotations"]["prometheus.io/port"] == str(
            c["ports"][0]["containerPort"]
        )
        app = catalogue.service(name).app()
        served = {getattr(r, "path", None) for r in app.routes}
        assert wanted <= served, f"{name} does not serve {wanted - served}"
        transport = httpx.ASGITransport(app=app)  # no lifespan: nothing is started
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            assert (await client.get(c["livenessProbe"]["httpGet"]["path"])).status_code == 200


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_the_compose_files_environment(rendered, overlay):
    composed = compose()["services"]
    for name, d in services(rendered[overlay]).items():
        ours = env(d)
        theirs = composed[name]["environment"]
        assert set(theirs) <= set(ours), f"{name} lacks {set(theirs) - set(ours)}"
        assert set(ours) - set(theirs) <= ADDED, f"{name} adds {set(ours) - set(theirs) - ADDED}"
        assert container(d)["command"] == composed[name]["command"]
        for key, value in theirs.items():
            if FROM_SECRETS.search(key):
                continue
            literal = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))
            assert ours[key].get("value") == literal, f"{name} {key}: {ours[key]} != {literal!r}"
        assert ours["SHEGONG_REQUIRE_SECRETS"]["value"] == "true", name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_streams_have_three_replicas_on_three_nodes(rendered, overlay):
    assert of_kind(rendered[overlay], "StatefulSet")["nats"]["spec"]["replicas"] == 3
    for name, d in services(rendered[overlay]).items():
        assert env(d)["SHEGONG_STREAM_REPLICAS"]["value"] == "3", name
        assert env(d)["NATS_URL"]["value"] == "nats://nats:4222", name
    assert "nats" in of_kind(rendered[overlay], "Service")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pools_at_the_most_replicas_stay_under_max_connections(rendered, overlay):
    for server, (used, limit, terms) in connections.budget(rendered[overlay]).items():
        assert used < limit, (
            f"{overlay} {server}: {used} >= max_connections {limit}: {' + '.join(terms)}"
        )


def test_the_connection_check_fails_when_an_autoscaler_may_grow_past_the_limit(rendered):
    objects = copy.deepcopy(rendered["small"])
    for o in objects:
        if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "stations":
            o["spec"]["maxReplicas"] = 30
    used, limit, _ = connections.budget(objects)["postgres"]
    assert used >= limit


def test_visits_keeps_its_data_on_a_server_of_its_own(rendered):
    """As in docker-compose.yml: visits on postgres-visits, every other service on postgres."""
    for overlay in OVERLAYS:
        for name, d in services(rendered[overlay]).items():
            assert connections.database_of(d) == (
                "postgres-visits" if name == "visits" else "postgres"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_operators_pod_is_the_compose_files_ops_and_waits_at_no_replicas(rendered, overlay):
    objects = rendered[overlay]
    ops = of_kind(objects, "Deployment")["ops"]
    assert ops["spec"]["replicas"] == 0
    theirs = compose()["services"]["ops"]["environment"]
    ours = env(ops)
    assert set(theirs) <= set(ours)
    assert ours["SHEGONG_NATS_USER"]["value"] == "operator"
    assert (
        ours["SHEGONG_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"]
        == "SHEGONG_NATS_PASSWORD_OPERATOR"
    )
    assert container(ops)["resources"]["limits"]
    assert "ops" not in {
        h["spec"]["scaleTargetRef"]["name"]
        for h in of_kind(objects, "HorizontalPodAutoscaler").values()
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_meets_the_restricted_pod_security_standard(rendered, overlay):
    """The namespace enforces `restricted`: a pod that does not meet it would not start."""
    objects = rendered[overlay]
    (namespace,) = of_kind(objects, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for o in objects:
        spec = o.get("spec", {}).get("template", {}).get("spec")
        if spec is None:
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True, o["metadata"]["name"]
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert spec["automountServiceAccountToken"] is False
        for c in spec["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert c["securityContext"]["readOnlyRootFilesystem"] is True

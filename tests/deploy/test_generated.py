"""The generated manifests are current, and the dashboard, its data source and the scrape job
are observability/'s, as the compose file's Prometheus and Grafana have them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from .conftest import KUBERNETES, OVERLAYS, ROOT, services

DASHBOARD = ROOT / "observability" / "grafana" / "dashboards" / "shegong.json"


def test_the_generated_files_are_current():
    done = subprocess.run(
        [sys.executable, str(KUBERNETES / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"run deploy/kubernetes/generate.py:\n{done.stdout}{done.stderr}"


def config_map(objects, prefix):
    (found,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith(prefix)
    ]
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_grafana_gets_observabilitys_dashboard_and_the_source_it_names(rendered, overlay):
    objects = rendered[overlay]
    dashboard = config_map(objects, "shegong-grafana-dashboard")
    assert dashboard["data"]["shegong.json"] == DASHBOARD.read_text(encoding="utf-8")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    named = {
        p["datasource"]["uid"]
        for p in json.loads(dashboard["data"]["shegong.json"])["panels"]
        if "datasource" in p
    }
    source = config_map(objects, "shegong-grafana-datasource")
    assert source["metadata"]["labels"]["grafana_datasource"] == "1"
    provided = {
        d["uid"] for d in yaml.safe_load(source["data"]["grafana-datasource.yaml"])["datasources"]
    }
    assert named and named <= provided


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_every_service_with_the_label_the_dashboard_groups_by(rendered, overlay):
    objects = rendered[overlay]
    (job,) = yaml.safe_load(
        config_map(objects, "shegong-prometheus-scrape")["data"]["prometheus-scrape.yaml"]
    )
    (sd,) = job["kubernetes_sd_configs"]
    namespaces = {o["metadata"]["namespace"] for o in services(objects).values()}
    assert sd["role"] == "pod" and set(sd["namespaces"]["names"]) == namespaces
    targets = {r.get("target_label") for r in job["relabel_configs"]}
    assert {"service", "__address__", "__metrics_path__"} <= targets
    compose_job = yaml.safe_load((ROOT / "observability" / "prometheus.yml").read_text())[
        "scrape_configs"
    ][0]
    assert "service" in {r["target_label"] for r in compose_job["relabel_configs"]}
    for name, d in services(objects).items():
        notes = d["spec"]["template"]["metadata"]["annotations"]
        assert notes["prometheus.io/scrape"] == "true", name

"""What operators watch: Prometheus scrapes every service, Grafana's provisioned dashboard asks
only for metrics the services export, and the compose file mounts both."""

import json
import re

import yaml
from prometheus_client import REGISTRY
from shegong_runtime import catalogue, http, metrics  # noqa: F401 - every metric registered

from .helpers import ROOT

OBS = ROOT / "observability"


def exported() -> set[str]:
    """Every series name a registered metric can have, labelled or not yet observed."""
    suffixes = {
        "counter": ("_total",),
        "histogram": ("_bucket", "_count", "_sum"),
        "summary": ("_count", "_sum"),
    }
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names |= {family.name + suffix for suffix in suffixes.get(family.type, ())}
    return names


def test_prometheus_scrapes_every_installed_service_on_its_container_port():
    config = yaml.safe_load((OBS / "prometheus.yml").read_text(encoding="utf-8"))
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "shegong"]
    [sd] = job["dns_sd_configs"]
    assert set(sd["names"]) == set(catalogue.services()) and sd["port"] == 8000
    assert job["metrics_path"] == "/metrics"


def test_the_dashboard_asks_only_for_metrics_the_services_export():
    dash = json.loads((OBS / "grafana" / "dashboards" / "shegong.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in re.findall(r"shegong_[a-z_]+", e)}
    assert used and used <= exported(), used - exported()
    titles = " ".join(p["title"] for p in dash["panels"])
    for watched in ("Consumer lag", "Relay lag", "Apply rate", "Dead letters", "HTTP latency"):
        assert watched in titles


def test_the_compose_file_provisions_prometheus_and_grafana():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    prom, graf = compose["services"]["prometheus"], compose["services"]["grafana"]
    assert any(v.startswith("./observability/prometheus.yml:") for v in prom["volumes"])
    mounted = {v.split(":")[0] for v in graf["volumes"]}
    assert mounted == {"./observability/grafana/provisioning", "./observability/grafana/dashboards"}
    for source in mounted | {"./observability/prometheus.yml"}:
        assert (ROOT / source).exists(), source
    datasource = yaml.safe_load(
        (OBS / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


async def test_a_service_exports_http_latency_by_route_template_not_by_raw_path():
    import httpx
    from fastapi import FastAPI
    from shegong_runtime.settings import Settings

    app = FastAPI()
    app.state.settings = Settings(service="probe-http")

    async def ready() -> dict[str, bool]:
        return {"ok": True}

    http.install(app, ready)

    @app.get("/households/{household_id}")
    async def one(household_id: str) -> dict:
        return {"household_id": household_id}

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        assert (await client.get("/households/hh-secret-1")).status_code == 200
        text = (await client.get("/metrics")).text
    assert 'route="/households/{household_id}"' in text and "hh-secret-1" not in text

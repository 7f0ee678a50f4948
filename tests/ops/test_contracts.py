"""The published contracts: each service's AsyncAPI document and every event's JSON Schema,
committed, checked for drift, and validated by the AsyncAPI project's parser and by Ajv."""

from __future__ import annotations

import json

from shegong_events import Envelope
from shegong_events.all import load_all
from shegong_events.registry import StationOpened
from shegong_runtime import catalogue
from shegong_runtime.ops import contracts, event_terms, eventdocs

from .helpers import ROOT, node_report

SCHEMAS = ROOT / "contracts" / "schemas"


def committed() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in contracts.DEFAULT_DIR.glob("*.json")}


def test_committed_asyncapi_documents_match_the_installed_services():
    """Regenerate with `uv run shegong contracts` after changing events or projections."""
    expected = contracts.render_all()
    assert sorted(committed()) == sorted(expected), "AsyncAPI documents added or missing"
    drifted = [name for name, text in expected.items() if committed()[name] != text]
    assert not drifted, f"committed AsyncAPI documents drifted: {drifted}"


def test_the_event_catalogue_is_generated_from_the_committed_contracts():
    assert eventdocs.TARGET.read_text(encoding="utf-8") == eventdocs.render(), (
        "run `uv run shegong contracts`"
    )


def test_every_asyncapi_document_validates_under_the_asyncapi_parser():
    files = sorted(contracts.DEFAULT_DIR.glob("*.json"))
    assert len(files) == len(catalogue.services())
    report = node_report("asyncapi", *files)
    for name, result in report.items():
        assert result["valid"] and result["errors"] == [], (name, result["errors"])
        assert result["version"] == "3.0.0" and result["operations"] > 0


def test_the_asyncapi_parser_rejects_a_broken_document(tmp_path):
    doc = json.loads(committed()["registry.json"])
    del doc["info"]
    doc["operations"]["registry.StationOpened"]["channel"] = {"$ref": "#/channels/nowhere"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    result = node_report("asyncapi", broken)[str(broken)]
    assert not result["valid"] and result["errors"]


def test_each_write_service_publishes_one_channel_per_event_type_of_its_domain():
    catalog = load_all()
    for name, ep in catalogue.services().items():
        service = ep.load()
        doc = json.loads(committed()[f"{name}.json"])
        sent = {
            doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"]
            for op in doc["operations"].values()
            if op["action"] == "send"
        }
        events = {
            m.event_type
            for m in catalog.models()
            if m.domain == service.domain and m.__module__.startswith("shegong_events.")
        }
        expected = {f"sw.{service.domain}.{{station_id}}.{t}.{{aggregate_id}}" for t in events}
        assert {a for a in sent if not a.startswith("sw.dlq.")} == expected
        received = {
            doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"]
            for op in doc["operations"].values()
            if op["action"] == "receive"
        }
        domains = {d for p in contracts.projections_of(service) for d in p.domains}
        assert {f"swp.{d}.*.>" for d in domains} <= received  # the partitions of each domain read
        assert "swp.registry.*.>" in received  # every service learns stations from the registry


def test_every_event_schema_compiles_under_ajv_which_rejects_an_event_that_breaks_it(tmp_path):
    good = Envelope.wrap(
        StationOpened(
            station_id="xigu-fulilu",
            name="西固区福利路街道社工站",
            city="兰州市",
            district_id="xigu",
            district_name="西固区",
            street="福利路街道",
            kind="street",
        ),
        aggregate_id="xigu-fulilu",
        station_id="xigu-fulilu",
        actor="test",
    ).model_copy(update={"aggregate_version": 1})
    bad = json.loads(good.model_dump_json())
    bad["data"]["kind"] = "village"
    events = tmp_path / "events.jsonl"
    events.write_text(good.model_dump_json() + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    report = node_report("events", SCHEMAS, events)
    assert report["compileErrors"] == []
    assert report["schemas"] == len(list(SCHEMAS.rglob("*.json")))
    assert report["checked"] == 2 and [i["line"] for i in report["invalid"]] == [2]


def test_every_event_type_in_the_catalogue_has_chinese_terms_beside_the_english():
    """A new event type needs its words in shegong_runtime/ops/event_terms.py (TERMS)."""
    text = eventdocs.render()
    missing = {}
    for model in load_all().models():
        if not model.__module__.startswith("shegong_events."):
            continue
        unknown = [word for word, term in event_terms.terms(model.event_type) if term is None]
        if unknown:
            missing[model.event_type] = unknown
        assert f"### {model.event_type} v{model.schema_version}" in text
    assert not missing, f"words without a Chinese term: {missing}"
    assert event_terms.chinese("OrgFilingApproved") == "社区社会组织 · 备案 · 通过"


def test_the_typescript_types_are_generated_from_the_schemas_and_compile():
    """Node integrators get the events as TypeScript types: committed, in step with the JSON
    Schemas (json-schema-to-typescript), and accepted by the TypeScript compiler in strict mode."""
    import shutil
    import subprocess

    from .helpers import ROOT

    node = shutil.which("node")
    assert node, "node is not installed: the contract checks need Node.js 20"
    check = subprocess.run(
        [node, "contracts/typescript/generate.cjs", "--check"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    files = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "contracts" / "typescript").glob("*.d.ts")
    )
    assert [f.rsplit("/", 1)[1] for f in files] == [
        "engagement.d.ts",
        "notifications.d.ts",
        "registry.d.ts",
        "visits.d.ts",
    ]
    tsc = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "tsc"), "--noEmit", "--strict", *files],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    assert (
        "export type VisitsEvent ="
        in (ROOT / "contracts" / "typescript" / "visits.d.ts").read_text()
    )

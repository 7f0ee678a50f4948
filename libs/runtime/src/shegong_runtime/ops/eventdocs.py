"""docs/event-catalogue.md, generated from the published contracts (JSON Schemas and AsyncAPI).

It reads the committed files, not the Python models, so it shows exactly what a subscriber in
any language gets. `shegong contracts` writes it after the AsyncAPI documents; a test fails
when it drifts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from shegong_runtime.ops import event_terms
from shegong_runtime.ops.contracts import ROOT

SCHEMAS = ROOT / "contracts" / "schemas"
ASYNCAPI = ROOT / "contracts" / "asyncapi"
TARGET = ROOT / "docs" / "event-catalogue.md"
DOMAIN_TERMS = {
    "registry": "登记",
    "visits": "入户走访",
    "engagement": "参与",
    "notifications": "通知",
}
_VERSIONED = re.compile(r"^(?P<type>[A-Za-z0-9]+)\.v(?P<version>\d+)\.json$")


def type_of(schema: dict[str, Any]) -> str:
    """A short type for a JSON Schema, as a reader of the table needs it."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [type_of(s) for s in schema["anyOf"] if s.get("type") != "null"]
        optional = any(s.get("type") == "null" for s in schema["anyOf"])
        return " | ".join(kinds) + (" or null" if optional else "")
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def field_rows(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in sorted(schema.get("properties", {}).items()):
        note = prop.get("description", "")
        if name.endswith("_sealed"):
            note = (
                note + " " if note else ""
            ) + "Sealed personal data (加密的个人信息): readable only by the owning service."
        rows.append(
            f"| `{name}` | {cell(type_of(prop))} | {'yes' if name in required else ''} | {cell(note)} |"
        )
    return rows


def services() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Domain → services publishing it, and → services reading it, from the AsyncAPI documents."""
    publishes: dict[str, list[str]] = {}
    reads: dict[str, list[str]] = {}
    for path in sorted(ASYNCAPI.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        service = path.stem
        for op in doc.get("operations", {}).values():
            address = doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"]
            parts = address.split(".")
            if parts[0] not in ("sw", "swp") or parts[1] in (
                "dlq",
                "redrive",
            ):  # swp: a partition stream
                continue
            target = publishes if op["action"] == "send" else reads
            if service not in target.setdefault(parts[1], []):
                target[parts[1]].append(service)
    return publishes, reads


def render() -> str:
    publishes, reads = services()
    by_domain: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
    for path in sorted(SCHEMAS.glob("*/*.json")):
        m = _VERSIONED.match(path.name)
        if m:
            schema = json.loads(path.read_text(encoding="utf-8"))
            by_domain.setdefault(path.parent.name, []).append(
                (m["type"], int(m["version"]), schema)
            )
    out = [
        "# Event catalogue (事件目录)",
        "",
        "Generated from `contracts/schemas` and `contracts/asyncapi` by `shegong contracts`; do not edit.",
        "Every event travels in the envelope of `contracts/schemas/envelope.json` on the subject",
        "`sw.<domain>.<station_id>.<EventType>.<aggregate_id>` of its domain's stream `SW_<DOMAIN>`.",
        "Personal data appears only sealed (fields ending in `_sealed`). See docs/integrators.md.",
        "",
        "| domain | stream | events | published by | read by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for domain in sorted(by_domain):
        out.append(
            f"| {domain} ({DOMAIN_TERMS.get(domain, '')}) | `SW_{domain.upper()}` | {len(by_domain[domain])} | "
            f"{', '.join(publishes.get(domain, [])) or '-'} | {', '.join(reads.get(domain, [])) or '-'} |"
        )
    for domain in sorted(by_domain):
        out += ["", f"## {domain} ({DOMAIN_TERMS.get(domain, '')})", ""]
        out += [
            "| event | 中文 | version | aggregate | subject |",
            "| --- | --- | --- | --- | --- |",
        ]
        for event_type, version, schema in sorted(by_domain[domain], key=lambda e: (e[0], e[1])):
            aggregate = schema["properties"]["aggregate_type"].get("const", "")
            out.append(
                f"| [{event_type}](#{event_type.lower()}-v{version}) | {event_terms.chinese(event_type) or '-'} | "
                f"{version} | {aggregate} | `sw.{domain}.*.{event_type}.*` |"
            )
        for event_type, version, schema in sorted(by_domain[domain], key=lambda e: (e[0], e[1])):
            data = schema["properties"]["data"]
            out += [
                "",
                f"### {event_type} v{version}",
                "",
                f"{event_terms.chinese(event_type) or '-'} — {cell(schema.get('description', ''))}",
                "",
                f"Schema: `contracts/schemas/{domain}/{event_type}.v{version}.json`",
                "",
                "| field of `data` | type | required | notes |",
                "| --- | --- | --- | --- |",
                *field_rows(data),
            ]
            for name, sub in sorted(schema.get("$defs", {}).items()):
                if f'"#/$defs/{name}"' in json.dumps(data):
                    out += [
                        "",
                        f"`{name}`: {cell(sub.get('description', ''))}",
                        "",
                        "| field | type | required | notes |",
                        "| --- | --- | --- | --- |",
                        *field_rows(sub),
                    ]
    out += ["", "## Terms (术语)", "", "| English | 中文 |", "| --- | --- |"]
    out += [f"| {english} | {term} |" for english, term in sorted(event_terms.TERMS.items())]
    return "\n".join(out) + "\n"


def write(target: Path = TARGET) -> Path:
    target.write_text(render(), encoding="utf-8")
    return target

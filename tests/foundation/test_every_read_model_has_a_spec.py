"""Every read model has a projection spec (`shegong_testing.projection_spec`): events in, rows
out, against PostgreSQL alone. A new Projection without a spec module naming it fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = {"Projection", "ReadModel"}  # the bases themselves, in libs/runtime
SOURCES = [*sorted(ROOT.glob("services/*/src")), ROOT / "libs" / "runtime" / "src"]


def _base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}


def read_models() -> dict[str, Path]:
    """Every class deriving, however indirectly, from Projection, by name, with its file."""
    classes = [
        (node, path)
        for src in SOURCES
        for path in sorted(src.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    bases, found = set(KIT), {}
    while True:
        more = {
            node.name: path
            for node, path in classes
            if node.name not in bases and _base_names(node) & bases
        }
        if not more:
            break
        bases |= set(more)
        found.update(more)
    return {name: path for name, path in found.items() if name not in KIT}


def spec_modules() -> dict[Path, str]:
    """Test modules that write projection specs, with their text."""
    paths = [*ROOT.glob("services/*/tests/test_*spec*.py"), *ROOT.glob("tests/*/test_*spec*.py")]
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(paths)}
    uses = re.compile(r"^from shegong_testing\.projection_spec import ", re.MULTILINE)
    return {p: t for p, t in texts.items() if uses.search(t)}


def test_the_scan_finds_the_read_models_we_know() -> None:
    known = {
        "VisitsReadModel",
        "Organisations",
        "Evaluations",
        "EngagementViews",
        "StationBoard",
        "NotificationPlanner",
        "KnownStations",
    }
    assert known <= set(read_models())


def test_every_read_model_is_named_by_a_projection_spec() -> None:
    specs = spec_modules()
    missing = [
        f"{name} ({path.relative_to(ROOT)})"
        for name, path in sorted(read_models().items())
        if not any(re.search(rf"\b{name}\b", text) for text in specs.values())
    ]
    assert not missing, f"read models without a projection spec: {missing}"

"""Every service has the same shape, so a newcomer learns one (docs/writing-a-service.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITE_SERVICES = ["registry", "visits", "engagement", "notifications"]
SERVICES = [*WRITE_SERVICES, "stations"]
EVERY_SERVICE = ["config.py", "bootstrap.py", "demo.py", "views.py"]


def package(name: str) -> Path:
    return ROOT / "services" / name / "src" / f"shegong_{name}"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_keeps_the_common_files(name):
    pkg = package(name)
    missing = [f for f in EVERY_SERVICE if not (pkg / f).is_file()]
    assert not missing, (name, missing)
    assert (pkg / "entrypoints" / "http" / "__init__.py").is_file(), name
    assert (pkg / "projections.py").is_file() or (pkg / "projections" / "__init__.py").is_file(), (
        name
    )
    assert (ROOT / "services" / name / "README.md").is_file(), name


@pytest.mark.parametrize("name", WRITE_SERVICES)
def test_each_write_service_keeps_its_aggregates_in_domain(name):
    domain = package(name) / "domain"
    assert (domain / "__init__.py").is_file(), name
    assert [p for p in domain.glob("*.py") if p.name != "__init__.py"], name


@pytest.mark.parametrize("name", SERVICES)
def test_no_service_keeps_its_own_glue_beside_the_kit(name):
    """Command glue, label tables and time zones live in the libraries, not in each service."""
    pkg = package(name)
    leftovers = [
        p.name for p in (pkg / "handlers.py", pkg / "labels.py", pkg / "clock.py") if p.exists()
    ]
    assert not leftovers, (name, leftovers)
    for source in pkg.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "ZoneInfo(" not in text and "hours=8" not in text, source
        assert "commands.execute" not in text, source
        assert not re.search(r"from shegong_runtime\.commands import[^\n]*\bexecute\b", text), (
            source
        )

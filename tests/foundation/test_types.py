"""Types hold everywhere mypy looks, so an ignore is a decision a reader can check: each names the
error it silences and says why on the same line, `# type: ignore[arg-type]  # the reason`."""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["libs", "services", "tests", "bench", "examples", "conftest.py"]
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<codes>\[[^\]]*\])?(?P<rest>.*)")
REASON = re.compile(r"\s+#\s*\S")
# TEMPORARY (issue 27): being rewritten on other branches; checked once merged (as in the mypy
# override in pyproject.toml)
REWRITTEN = [
    "libs/runtime/src/shegong_runtime/decider.py",
]


def sources() -> list[Path]:
    skipped = {p for pattern in REWRITTEN for p in ROOT.glob(pattern)}
    found: list[Path] = []
    for name in CHECKED:
        top = ROOT / name
        files = [top] if top.is_file() else top.rglob("*.py")
        found += [
            f for f in files if f not in skipped and not {".venv", "node_modules"} & set(f.parts)
        ]
    return sorted(found)


def ignores(path: Path) -> list[tuple[int, str]]:
    """(line, comment) of every `type: ignore` comment; strings and docstrings do not count."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [
        (t.start[0], t.string)
        for t in tokens
        if t.type == tokenize.COMMENT and IGNORE.search(t.string)
    ]


def unexplained(comment: str) -> bool:
    match = IGNORE.search(comment)
    assert match is not None
    codes = match["codes"]
    return not codes or codes == "[]" or not REASON.match(match["rest"])


def test_every_type_ignore_names_its_error_and_gives_a_reason():
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {comment}"
        for path in sources()
        for line, comment in ignores(path)
        if unexplained(comment)
    ]
    assert not bare, "\n".join(bare)


def test_the_rule_tells_an_explained_ignore_from_a_bare_one():
    assert not unexplained("# type: ignore[arg-type]  # nats-py annotates int, means float")
    assert unexplained("# type: ignore")
    assert unexplained("# type: ignore[arg-type]")
    assert unexplained("# type: ignore  # no code named")
    assert unexplained("# type: ignore[]  # an empty code list")


def test_mypy_checks_the_libraries_the_services_and_the_tests():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    checked = set(config["files"])
    assert {"libs/*/src", "services/*/src", "services/*/tests", "tests"} <= checked
    assert config["check_untyped_defs"] and config["warn_unused_ignores"]

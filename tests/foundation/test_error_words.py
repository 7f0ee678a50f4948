"""Refusals reach station staff as the problem's `detail`, so they are written in Chinese;
the rule's name (the error class) stays English for machines (docs/errors.md)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for top in ("libs", "services") for p in ROOT.glob(f"{top}/*/src"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;]+[A-Za-z]{2,}){2,}\b")  # three words in a row


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for root in SOURCES
        for path in sorted(root.rglob("*.py"))
    ]


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _domain_errors(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """The kit's DomainError and every class that derives from it, by name, to a fixed point."""
    bases: dict[str, set[str]] = {}
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {n for b in node.bases if (n := _name(b))}
                bases.setdefault(node.name, set()).update(names)
    family = {"DomainError"}
    grown = True
    while grown:
        grown = False
        for name, parents in bases.items():
            if name not in family and parents & family:
                family.add(name)
                grown = True
    return family


def _text(node: ast.expr) -> str | None:
    """The literal words of a message (an f-string's constant parts), or None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def _messages(
    modules: list[tuple[Path, ast.Module]], family: set[str]
) -> Iterator[tuple[str, str, str]]:
    """(where, class, words) for every DomainError built with a literal message."""
    for path, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in family:
                continue
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "message")]
            for arg in args:
                words = _text(arg)
                if words is not None:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    yield where, str(_name(node.func)), words


def test_the_walk_finds_the_families_and_their_messages():
    modules = _modules()
    family = _domain_errors(modules)
    assert {"NotFound", "Conflict", "Forbidden", "Unauthenticated", "HouseholdNotFound"} <= family
    assert len(list(_messages(modules, family))) > 100


def test_every_domain_error_message_is_chinese():
    """Ids, codes and header names may stay as they are; the sentence around them is Chinese."""
    modules = _modules()
    english = [
        f"{where} {cls}({words!r})"
        for where, cls, words in _messages(modules, _domain_errors(modules))
        if not CHINESE.search(words) or ENGLISH.search(words)
    ]
    assert not english, "\n".join(english)

"""The services and demo loaders installed in this environment, found by entry point."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

# start order of `shegong up`: the registry first, since other services learn stations from it
ORDER = ["registry", "visits", "engagement", "stations", "notifications"]
PORTS = {name: 8101 + i for i, name in enumerate(ORDER)}


def services() -> dict[str, Any]:
    found = {ep.name: ep for ep in entry_points(group="shegong.services")}
    return {name: found[name] for name in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))}


def service(name: str) -> Any:
    eps = services()
    if name not in eps:
        raise KeyError(f"no service {name!r} installed (have: {', '.join(eps) or 'none'})")
    return eps[name].load()


def demo_loaders() -> list[tuple[str, Any]]:
    found = {ep.name: ep for ep in entry_points(group="shegong.demo")}
    names = sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))
    return [(n, found[n].load()) for n in names]

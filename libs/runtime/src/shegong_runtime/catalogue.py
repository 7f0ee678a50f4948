"""The services and demo loaders installed in this environment, found by entry point."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

# start order of `shegong up`: the registry first, since other services learn stations from it
ORDER = ["registry", "visits", "engagement", "stations", "notifications", "workbench"]
def port_of(name: str) -> int:
    """Fixed ports from SHEGONG_STACK_PORT_BASE (8101): registry, visits, engagement, ..."""
    import os

    base = int(os.environ.get("SHEGONG_STACK_PORT_BASE", "8101"))
    return base + (ORDER.index(name) if name in ORDER else len(ORDER))


def _loadable(group: str) -> dict[str, Any]:
    """Entry points whose module exists: a service folder still being built is left out."""
    found = {}
    for ep in entry_points(group=group):
        try:
            ep.load()
        except ModuleNotFoundError:
            continue
        found[ep.name] = ep
    return found


def services() -> dict[str, Any]:
    found = _loadable("shegong.services")
    return {name: found[name] for name in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))}


def service(name: str) -> Any:
    """Load only the named service: importing the others would slow every start."""
    for ep in entry_points(group="shegong.services"):
        if ep.name == name:
            return ep.load()
    have = ", ".join(ep.name for ep in entry_points(group="shegong.services"))
    raise KeyError(f"no service {name!r} installed (have: {have or 'none'})")


# demo order: the registry opens the stations, then notifications sets its rules and
# recipients, so the week that follows is noticed as it is recorded
DEMO_ORDER = ["registry", "notifications", "visits", "engagement", "stations"]


def demo_loaders() -> list[tuple[str, Any]]:
    found = _loadable("shegong.demo")
    names = sorted(found, key=lambda n: (DEMO_ORDER.index(n) if n in DEMO_ORDER else 99, n))
    return [(n, found[n].load()) for n in names]

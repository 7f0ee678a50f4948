"""The services and demo loaders installed in this environment, found by entry point."""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from typing import Any

# start order of `shegong up`: the registry first, since other services learn stations from it
ORDER = ["registry", "visits", "engagement", "stations", "notifications", "workbench"]


def port_of(name: str) -> int:
    """Fixed ports from SHEGONG_STACK_PORT_BASE (8101): registry, visits, engagement, ..."""
    base = int(os.environ.get("SHEGONG_STACK_PORT_BASE", "8101"))
    return base + (ORDER.index(name) if name in ORDER else len(ORDER))


def _ordered(group: str, order: list[str]) -> dict[str, Any]:
    """Installed entry points of a group in the given order (others after, by name)."""
    found = {ep.name: ep for ep in entry_points(group=group)}
    return {
        n: found[n] for n in sorted(found, key=lambda n: (order.index(n) if n in order else 99, n))
    }


def services() -> dict[str, Any]:
    return _ordered("shegong.services", ORDER)


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
    return [(name, ep.load()) for name, ep in _ordered("shegong.demo", DEMO_ORDER).items()]

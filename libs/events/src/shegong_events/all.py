"""Imports every domain's event module, so the catalog holds every published contract."""

from shegong_events import catalog

DOMAIN_MODULES: tuple[str, ...] = ("registry", "visits", "engagement", "notifications")


def load_all() -> catalog.EventCatalog:
    import importlib

    for name in DOMAIN_MODULES:
        importlib.import_module(f"shegong_events.{name}")
    return catalog.CATALOG

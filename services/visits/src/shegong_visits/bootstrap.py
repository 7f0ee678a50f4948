"""Wires the visits service together: its API, its read model, and its settings read at start."""

from shegong_runtime.service import Runtime, Service

from shegong_visits import config
from shegong_visits.entrypoints.http import routers
from shegong_visits.views import READ_MODEL


async def read_settings(rt: Runtime) -> None:
    """Bad SHEGONG_VISITS_* values stop the service at start, not at its first command."""
    config.households()


service = Service(
    name="visits",
    title="Shegong visits (入户走访)",
    domain="visits",
    routers=routers,
    projections=[READ_MODEL],
    on_start=[read_settings],
)

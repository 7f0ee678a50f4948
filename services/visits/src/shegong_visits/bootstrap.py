"""Wires the visits service together: API, read model, and the visit intervals from settings."""

from shegong_runtime.service import Runtime, Service

from shegong_visits.config import VisitsSettings
from shegong_visits.entrypoints.http import routers
from shegong_visits.views import READ_MODEL


async def configure(rt: Runtime) -> None:
    rt.extras["visit_policy"] = VisitsSettings().policy()


service = Service(
    name="visits",
    title="Shegong visits (入户走访)",
    domain="visits",
    routers=routers,
    projections=[READ_MODEL],
    on_start=[configure],
)

"""Wires the stations service: the board projection over three domains, the API, the dashboard."""

from shegong_runtime import generations
from shegong_runtime.service import Runtime, Service

from shegong_stations.entrypoints import api, dashboard
from shegong_stations.views.directory import BOARD


async def board_tables(rt: Runtime) -> None:
    """The live tables exist before the first request, even while the consumers start."""
    schema = await generations.live_schema(rt.pool, BOARD.name)
    await generations.create_schema(rt.pool, schema, BOARD.ddl)


service = Service(
    name="stations",
    title="Shegong stations (社工站看板)",
    domain=None,  # projection only: publishes nothing
    routers=[api.router, dashboard.router, dashboard.root],
    projections=[BOARD],
    on_start=[board_tables],
)

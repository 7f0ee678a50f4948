"""Wires the stations service: the board projection over three domains, the API, the dashboard.

A projection-only service: it owns no domain and publishes nothing. Its settings
(`config.StationsSettings`) are read at start; routes call `config.settings()`.
"""

from shegong_runtime import generations
from shegong_runtime.service import Runtime, Service

from shegong_stations import config
from shegong_stations.entrypoints.http import router
from shegong_stations.projections import BOARD


async def board_tables(rt: Runtime) -> None:
    """The live tables exist before the first request, even while the consumers start."""
    schema = await generations.live_schema(rt.pool, BOARD.name)
    await generations.create_schema(rt.pool, schema, BOARD.ddl)


service = Service(
    name="stations",
    title="Shegong stations (社工站看板)",
    domain=None,  # projection only: publishes nothing
    routers=[router],
    projections=[BOARD],
    on_start=[board_tables],
    own_settings=config.settings,
)

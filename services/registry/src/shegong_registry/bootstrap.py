"""Wires the registry service together: its routes, its read models, its registers' tables."""

from shegong_runtime.service import Service

from shegong_registry import config, registers
from shegong_registry.entrypoints.http import organisations, router, stations
from shegong_registry.projections import Evaluations, Organisations

service = Service(
    name="registry",
    title="Shegong registry (登记)",
    domain="registry",
    routers=[router],
    projections=[Organisations(), Evaluations()],
    on_start=[registers.migrate],
    own_settings=config.settings,
    erasures={
        "StationContactErased": lambda e: [stations.subject(e.aggregate_id)],
        "OrgContactErased": lambda e: [organisations.subject(e.aggregate_id)],
    },
)

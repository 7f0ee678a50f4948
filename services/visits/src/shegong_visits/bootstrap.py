"""Wires the visits service together: its API, its read model, and its settings read at start."""

from shegong_runtime.service import Runtime, Service

from shegong_visits import config
from shegong_visits.entrypoints.http import router
from shegong_visits.ledger import tables
from shegong_visits.personal import subject
from shegong_visits.views import READ_MODEL


async def ledger_tables(rt: Runtime) -> None:
    assert rt.store is not None
    await tables.ensure(rt.pool, rt.store.schema)


service = Service(
    name="visits",
    title="Shegong visits (入户走访)",
    domain="visits",
    routers=[router],
    projections=[READ_MODEL],
    on_start=[ledger_tables],
    own_settings=config.settings,  # bad SHEGONG_VISITS_* values stop the start
    erasures={"HouseholdErased": lambda e: [subject(e.aggregate_id)]},
)

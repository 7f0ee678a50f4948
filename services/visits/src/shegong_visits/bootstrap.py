"""Wires the visits service together: its API, its read model, and its settings read at start."""

from shegong_runtime.service import Service

from shegong_visits import config
from shegong_visits.entrypoints.http import routers
from shegong_visits.personal import subject
from shegong_visits.views import READ_MODEL

service = Service(
    name="visits",
    title="Shegong visits (入户走访)",
    domain="visits",
    routers=routers,
    projections=[READ_MODEL],
    own_settings=config.settings,  # bad SHEGONG_VISITS_* values stop the start
    erasures={"HouseholdErased": lambda e: [subject(e.aggregate_id)]},
)

"""The registry's own read models: organisations with their timelines (`organisations.py`), and
station evaluations (`evaluations.py`). Each module declares its tables and one handler per
event type; events arrive in each aggregate's order, once, by the runtime's partitions and its
processed-ids tracking.

Personal data stays sealed here as in the events (`*_sealed` columns); the timeline keeps only
which personal fields changed, never their values.
"""

from __future__ import annotations

from shegong_runtime.read_models import Handlers, ReadModel

from shegong_registry.projections import evaluations, organisations


class Organisations(ReadModel):
    name = "registry_organisations"
    ddl = organisations.DDL
    domains = ("registry",)
    handlers = Handlers(organisations.HANDLERS)


class Evaluations(ReadModel):
    name = "registry_evaluations"
    ddl = evaluations.DDL
    domains = ("registry",)
    handlers = Handlers(evaluations.HANDLERS)

"""Projection runtime: partitions of each domain → read models in PostgreSQL, exactly once in effect.

- `base`: a projection (its tables, how each event changes them) and the tracking tables.
- `units`: the grain of work (a partition of a domain, or the re-drive subject) and its cursor.
- `runner`: one projection's units consumed in order, shared between replicas by leases.
- `batches`: a batch applied with its checkpoint in one transaction; the spoiling event found.
- `failures`: attempts counted, dead letters, events parked for a newer release.
- `decoding`: from a message to an event, or why not.
- `rebuilds`: the next generation filled beside the live one and swapped in.

The names other modules import live here, so `from shegong_runtime.projection import X` stays.
"""

from shegong_runtime.projection.base import TRACKING_DDL, Projection
from shegong_runtime.projection.batches import OUTAGES
from shegong_runtime.projection.decoding import NotYetKnown, Undecodable, decode
from shegong_runtime.projection.rebuilds import rebuild
from shegong_runtime.projection.runner import CursorShared, ProjectionRunner
from shegong_runtime.projection.units import REDRIVE, Unit

__all__ = [
    "OUTAGES",
    "REDRIVE",
    "TRACKING_DDL",
    "CursorShared",
    "NotYetKnown",
    "Projection",
    "ProjectionRunner",
    "Undecodable",
    "Unit",
    "decode",
    "rebuild",
]

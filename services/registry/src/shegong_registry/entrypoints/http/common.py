"""What the registry's routes share: path ids, and when a step happened."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from shegong_events.calendar import as_aware
from shegong_runtime.inputs import Slug

StationId = Annotated[Slug, Path()]
OrganisationId = Annotated[Slug, Path()]
DistrictId = Annotated[Slug, Path()]


def when(value: datetime | None) -> datetime | None:
    """A time the caller gave, in station time when it names no zone; None is now."""
    return None if value is None else as_aware(value)

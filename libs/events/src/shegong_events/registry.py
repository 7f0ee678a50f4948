"""Registry domain (登记): stations, community social organisations (社区社会组织) and evaluations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shegong_events.catalog import CATALOG
from shegong_events.envelope import DomainEvent

StationKind = Literal["street", "township"]  # 街道 / 乡镇


class RegistryEvent(DomainEvent):
    domain = "registry"


@CATALOG.register
class StationOpened(RegistryEvent):
    """A social work station (社工站) opened; other services learn station ids from this event."""

    event_type = "StationOpened"
    aggregate_type = "station"

    station_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    name: str = Field(min_length=1, max_length=100, description="e.g. 城关区青白石街道社工站")
    city: str = Field(min_length=1, max_length=50, description="e.g. 兰州市")
    district_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    district_name: str = Field(min_length=1, max_length=50, description="e.g. 城关区")
    street: str = Field(min_length=1, max_length=50, description="街道 or 镇, e.g. 青白石街道")
    kind: StationKind
    lead_sealed: str | None = Field(default=None, description="station lead's name, sealed")
    contact_sealed: str | None = Field(default=None, description="contact phone, sealed")


@CATALOG.register
class StationUpdated(RegistryEvent):
    """A station's name, lead or contact changed; absent fields are unchanged."""

    event_type = "StationUpdated"
    aggregate_type = "station"

    name: str | None = Field(default=None, min_length=1, max_length=100)
    lead_sealed: str | None = None
    contact_sealed: str | None = None

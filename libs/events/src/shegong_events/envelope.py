"""The envelope every event travels in, on every stream and in every store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from uuid6 import uuid7

SUBJECT_TOKEN = r"^[A-Za-z0-9_\-]+$"  # one NATS subject token: no dots, spaces or wildcards


def new_event_id() -> UUID:
    """UUIDv7: time-ordered, so ids sort roughly by creation and index well."""
    return uuid7()


def utcnow() -> datetime:
    return datetime.now(UTC)


class DomainEvent(BaseModel):
    """A past-tense fact of the domain. Carries facts only; ids and causality live in the envelope.

    Subclasses set `event_type`, `schema_version`, `domain` and `aggregate_type` as class
    variables and are registered in the catalog, so a stored or published event decodes back
    to its model by (event_type, schema_version).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    domain: ClassVar[str]
    aggregate_type: ClassVar[str]


class OpensAtStation(DomainEvent):
    """The first event of an aggregate that belongs to a station: it names that station, so that
    `evolve(state, event)` folds it with no envelope in sight.

    The station travels once, as the envelope's `station_id`; the data never repeats it (a
    release that does not know the field must still read what this one writes), and decoding
    gives it back to the event from the envelope (`EventCatalog.decode`).
    """

    station_id: SkipJsonSchema[str | None] = Field(
        default=None, exclude=True, pattern=SUBJECT_TOKEN, max_length=64
    )


class Envelope(BaseModel):
    """Ids, causality and routing around one event's data (DESIGN.md, Events)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=new_event_id)
    event_type: str = Field(pattern=SUBJECT_TOKEN)
    schema_version: int = Field(ge=1)
    aggregate_type: str = Field(pattern=SUBJECT_TOKEN)
    aggregate_id: str = Field(pattern=SUBJECT_TOKEN, max_length=128)
    aggregate_version: int = Field(ge=0, description="0 until the event store assigns it")
    station_id: str = Field(pattern=SUBJECT_TOKEN, max_length=64)
    occurred_at: datetime
    recorded_at: datetime = Field(default_factory=utcnow)
    correlation_id: UUID
    causation_id: UUID | None = None
    actor: str
    data: dict[str, Any]

    @property
    def domain(self) -> str:
        from shegong_events.catalog import CATALOG

        return CATALOG.domain_of(self.event_type)

    @property
    def stream_id(self) -> str:
        return f"{self.aggregate_type}-{self.aggregate_id}"

    @classmethod
    def wrap(
        cls,
        event: DomainEvent,
        *,
        aggregate_id: str,
        station_id: str,
        actor: str,
        occurred_at: datetime | None = None,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        aggregate_version: int = 0,
    ) -> Envelope:
        """`aggregate_version`: where the command path knows it (else the store stamps it)."""
        if isinstance(event, OpensAtStation) and event.station_id not in (None, station_id):
            raise ValueError(
                f"{event.event_type} names station {event.station_id}, its envelope {station_id}"
            )
        event_id = new_event_id()
        return cls(
            event_id=event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            aggregate_type=event.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            station_id=station_id,
            occurred_at=occurred_at or utcnow(),
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            actor=actor,
            data=event.model_dump(mode="json"),
        )

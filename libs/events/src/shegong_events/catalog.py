"""From (event type, schema version) to model, with upcaster chains for old versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shegong_events.envelope import DomainEvent, Envelope, OpensAtStation

E = TypeVar("E", bound=type[DomainEvent])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """An event type or version this catalog has never heard of: decode cannot guess."""


class EventCatalog:
    def __init__(self) -> None:
        self._models: dict[tuple[str, int], type[DomainEvent]] = {}
        self._latest: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._domains: dict[str, str] = {}

    def register(self, model: E) -> E:
        key = (model.event_type, model.schema_version)
        if key in self._models and self._models[key] is not model:
            raise ValueError(f"event {key} registered twice")
        self._models[key] = model
        self._domains[model.event_type] = model.domain
        self._latest[model.event_type] = max(
            self._latest.get(model.event_type, 0), model.schema_version
        )
        return model

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register the step from `from_version` to `from_version + 1` of one event type."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def models(self) -> list[type[DomainEvent]]:
        return [self._models[k] for k in sorted(self._models)]

    def latest_version(self, event_type: str) -> int:
        try:
            return self._latest[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def domain_of(self, event_type: str) -> str:
        try:
            return self._domains[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def upcast(self, envelope: Envelope) -> Envelope:
        """Bring an envelope of an old schema version up to the latest one, step by step."""
        latest = self.latest_version(envelope.event_type)
        version, data = envelope.schema_version, envelope.data
        if version > latest:
            raise UnknownEventType(
                f"{envelope.event_type} v{version} is newer than this catalog (v{latest})"
            )
        while version < latest:
            step = self._upcasters.get((envelope.event_type, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {envelope.event_type} v{version}")
            data, version = step(data), version + 1
        if version == envelope.schema_version:
            return envelope
        return envelope.model_copy(update={"data": data, "schema_version": version})

    def decode(self, envelope: Envelope) -> DomainEvent:
        """The domain event inside an envelope, upcast to the latest version and validated; an
        event that opens an aggregate at a station names the envelope's station."""
        current = self.upcast(envelope)
        model = self._models[(current.event_type, current.schema_version)]
        data = current.data
        if issubclass(model, OpensAtStation) and data.get("station_id") is None:
            data = {**data, "station_id": current.station_id}
        return model.model_validate(data)


CATALOG = EventCatalog()

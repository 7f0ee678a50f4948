"""Event contracts of Shegong: the only thing services share about each other."""

from shegong_events.catalog import CATALOG, EventCatalog, UnknownEventType
from shegong_events.envelope import DomainEvent, Envelope, OpensAtStation, new_event_id
from shegong_events.subjects import Subject, domain_of, stream_name, subject_for

__all__ = [
    "CATALOG",
    "DomainEvent",
    "Envelope",
    "EventCatalog",
    "OpensAtStation",
    "Subject",
    "UnknownEventType",
    "domain_of",
    "new_event_id",
    "stream_name",
    "subject_for",
]

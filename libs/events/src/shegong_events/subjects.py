"""Subjects `sw.<domain>.<station_id>.<EventType>.<aggregate_id>` and one stream per domain."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shegong_events.envelope import SUBJECT_TOKEN, Envelope

PREFIX = "sw"
DOMAINS = ("registry", "visits", "engagement", "notifications")
_TOKEN = re.compile(SUBJECT_TOKEN)


@dataclass(frozen=True)
class Subject:
    domain: str
    station_id: str
    event_type: str
    aggregate_id: str

    def __str__(self) -> str:
        return f"{PREFIX}.{self.domain}.{self.station_id}.{self.event_type}.{self.aggregate_id}"

    @classmethod
    def parse(cls, subject: str) -> Subject:
        parts = subject.split(".")
        if len(parts) != 5 or parts[0] != PREFIX:
            raise ValueError(f"not a Shegong event subject: {subject!r}")
        return cls(*parts[1:])


def token(value: str, what: str) -> str:
    """A subject token: no dots, spaces or wildcards, so filters stay exact."""
    if not _TOKEN.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid subject token (letters, digits, - and _)"
        )
    return value


def subject_for(envelope: Envelope, domain: str | None = None) -> str:
    return str(
        Subject(
            domain=token(domain or envelope.domain, "domain"),
            station_id=token(envelope.station_id, "station_id"),
            event_type=token(envelope.event_type, "event_type"),
            aggregate_id=token(envelope.aggregate_id, "aggregate_id"),
        )
    )


def domain_of(subject: str) -> str:
    return Subject.parse(subject).domain


def stream_name(domain: str) -> str:
    return f"SW_{domain.upper()}"


def domain_filter(
    domain: str, station_id: str = "*", event_type: str = "*", aggregate_id: str = "*"
) -> str:
    if station_id == "*" and event_type == "*" and aggregate_id == "*":
        return f"{PREFIX}.{domain}.>"
    return f"{PREFIX}.{domain}.{station_id}.{event_type}.{aggregate_id}"

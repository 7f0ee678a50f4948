"""Each service's AsyncAPI document, built with FastStream from what the service publishes and reads.

A write service publishes one channel per event type of its domain on
`sw.<domain>.{station_id}.<EventType>.{aggregate_id}`, each with the envelope and that event's
data as payload; every service reads the domain streams its projections consume, re-driven
dead letters, and publishes its projections' dead letters. `python -m shegong_runtime.ops.contracts`
(or `shegong contracts`) writes `contracts/asyncapi/<service>.json`; a test fails on drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from faststream.nats import JStream, NatsBroker, PullSub
from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model
from shegong_events import DomainEvent, Envelope
from shegong_events.all import load_all
from shegong_events.subjects import stream_name

from shegong_runtime import bus, catalogue, deadletter
from shegong_runtime.bus import DEADLETTER_STREAM
from shegong_runtime.projection import Projection
from shegong_runtime.station_directory import KnownStations

_CHECKOUT = Path(__file__).resolve().parents[5]
ROOT = _CHECKOUT if (_CHECKOUT / "contracts").is_dir() else Path.cwd()  # installed: where it runs
DEFAULT_DIR = ROOT / "contracts" / "asyncapi"
VERSION = "1.0.0"
SERVERS = ["nats://nats:4222"]  # the compose cluster; the embedded stack listens on 127.0.0.1:4322
PARAMETERS = {
    "station_id": "The station (社工站) the event belongs to, e.g. `xigu-fulilu`.",
    "aggregate_id": "The aggregate the event belongs to (a household, a meeting, an organisation...).",
}


def envelope_model(event: type[DomainEvent]) -> type[BaseModel]:
    """The envelope with `data` narrowed to one event type: what a subscriber receives."""
    model = create_model(
        f"{event.event_type}V{event.schema_version}",
        __base__=Envelope,
        event_type=(Literal[event.event_type], ...),
        schema_version=(Literal[event.schema_version], ...),
        aggregate_type=(Literal[event.aggregate_type], ...),
        data=(event, ...),
    )
    model.__doc__ = (event.__doc__ or "").strip()
    return model


def published_events(domain: str) -> list[type[DomainEvent]]:
    """The latest version of each event type of a domain (older versions are upcast on read)."""
    latest: dict[str, type[DomainEvent]] = {}
    for model in load_all().models():
        if model.domain == domain and model.__module__.startswith("shegong_events."):
            latest[model.event_type] = model  # models() is sorted, so the last is the newest
    return [latest[name] for name in sorted(latest)]


def projections_of(service: Any) -> list[Projection]:
    return [KnownStations(service.name), *service.projections]


def broker_for(service: Any) -> NatsBroker:
    broker = NatsBroker(
        SERVERS,
        description=f"{service.title}: NATS JetStream, one stream per domain (SW_<DOMAIN>)",
    )
    if service.domain:
        stream = JStream(stream_name(service.domain), declare=False)
        for event in published_events(service.domain):
            broker.publisher(
                f"sw.{service.domain}.{{station_id}}.{event.event_type}.{{aggregate_id}}",
                stream=stream,
                schema=envelope_model(event),
                title=f"{service.domain}.{event.event_type}",
                description=(event.__doc__ or "").strip(),
            )
    read = sorted({d for p in projections_of(service) for d in p.domains} | set(service.consumes))
    for domain in read:
        _subscriber(
            broker,
            bus.partition_subject(domain),
            bus.partition_stream_name(domain),
            f"{service.name}.reads.{domain}",
            f"Every {domain} event, from its partition stream (`swp.{domain}.<k>.<station>.<Type>.<aggregate>`, "
            f"k = FNV-1a(aggregate id) mod P), one partition per consumer `<projection>-<a|b>-{domain}-p<k>` (a, b: alternate generations).",
        )
    for projection in projections_of(service):
        _subscriber(
            broker,
            deadletter.redrive_subject(projection.name),
            DEADLETTER_STREAM,
            f"{service.name}.redrive.{projection.name}",
            f"Dead letters of `{projection.name}` sent back by an operator (`shegong dlq redrive`).",
        )
        broker.publisher(
            deadletter.dead_subject(projection.name),
            stream=JStream(DEADLETTER_STREAM, declare=False),
            schema=Envelope,
            title=f"{service.name}.deadletter.{projection.name}",
            description=(
                f"An event `{projection.name}` could not apply after bounded attempts, with headers "
                f"{deadletter.REASON}, {deadletter.ORIGIN_STREAM}, {deadletter.ORIGIN_SEQ}, "
                f"{deadletter.ORIGIN_SUBJECT} and {deadletter.ATTEMPTS}."
            ),
        )
    return broker


def _subscriber(
    broker: NatsBroker, subject: str, stream: str, title: str, description: str
) -> None:
    async def consume(event: Envelope) -> None:  # never run: it describes the payload
        return None

    broker.subscriber(
        subject,
        stream=JStream(stream, declare=False),
        pull_sub=PullSub(batch_size=256),
        title=title,
        description=description,
    )(consume)


def document(service: Any) -> dict[str, Any]:
    spec = AsyncAPI(
        broker_for(service),
        title=service.title,
        version=VERSION,
        description=(
            f"Events the `{service.name}` service publishes and reads. Subjects are "
            "`sw.<domain>.<station_id>.<EventType>.<aggregate_id>`; every payload is the Shegong "
            "envelope (contracts/schemas/envelope.json) with its event's data; personal data "
            "travels only sealed (`*_sealed`)."
        ),
        identifier=f"urn:shegong:{service.name}",
        schema_version="3.0.0",
    )
    doc = json.loads(spec.to_specification().to_json())
    for name, message in doc.get("components", {}).get("messages", {}).items():
        locate_correlation(message, dead_letter=".deadletter." in name or ".redrive." in name)
    for channel in doc.get("channels", {}).values():
        names = [p for p in PARAMETERS if "{" + p + "}" in channel.get("address", "")]
        if names:  # FastStream leaves address parameters undeclared; AsyncAPI 3 wants them
            channel["parameters"] = {p: {"description": PARAMETERS[p]} for p in names}
    return doc


# the headers the relay puts on every event message (shegong_runtime.relay)
EVENT_HEADERS = {
    "type": "object",
    "properties": {
        "Nats-Msg-Id": {"type": "string", "description": "the event_id (JetStream de-duplication)"},
        "Sw-Position": {
            "type": "string",
            "description": "`<transaction>.<position>` of the event in its service's event store",
        },
        "Sw-Store-Epoch": {
            "type": "string",
            "description": "the identity of the event store that published it: a new one after "
            "the store was restored (events published before it are the same history)",
        },
    },
    "required": ["Nats-Msg-Id"],
}
DEAD_LETTER_HEADERS = {
    "type": "object",
    "properties": {
        name: {"type": "string"}
        for name in (
            "Nats-Msg-Id",
            deadletter.REASON,
            deadletter.ORIGIN_STREAM,
            deadletter.ORIGIN_SEQ,
            deadletter.ORIGIN_SUBJECT,
            deadletter.ATTEMPTS,
        )
    },
}


def locate_correlation(message: dict[str, Any], dead_letter: bool = False) -> None:
    """The correlation id travels in the envelope, not in a header: say so, and name the headers
    a message really carries (FastStream's default says `$message.header#/correlation_id`)."""
    message["correlationId"] = {
        "description": "the envelope's correlation_id: one id for every event of one request",
        "location": "$message.payload#/correlation_id",
    }
    message["headers"] = DEAD_LETTER_HEADERS if dead_letter else EVENT_HEADERS


def render_all() -> dict[str, str]:
    """File name → text of every installed service's document."""
    return {
        f"{name}.json": json.dumps(
            document(ep.load()), ensure_ascii=False, indent=2, sort_keys=True
        )
        + "\n"
        for name, ep in catalogue.services().items()
    }


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    rendered = render_all()
    for stale in directory.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    written = []
    for name, text in rendered.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    from shegong_runtime.ops import eventdocs

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    for path in write(target):
        print(path)
    if target == DEFAULT_DIR:
        print(eventdocs.write())

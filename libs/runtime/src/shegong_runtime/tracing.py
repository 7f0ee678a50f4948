"""Traces (OpenTelemetry), off by default: one trace per correlation id, from the HTTP command
through the append, the relay and each projection.

A correlation id is a UUID, as wide as a trace id, so every span about one correlation joins the
trace whose id is that correlation id: nothing has to travel in the outbox rows or the message
headers beyond the correlation id the envelope already carries, and an operator finds the trace
by the id the logs print. Spans of the relay and the projections are recorded per event after
its batch is done, with the batch's start and end, so tracing never changes how a batch runs.

`SHEGONG_TRACING`: unset (off: the API's no-op tracer), `otlp` (the SDK's OTLP/HTTP exporter,
configured by the standard `OTEL_EXPORTER_OTLP_*` variables), `console`, or `memory` (tests).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

TRACER = "shegong"
_memory: Any = None  # the in-memory exporter when SHEGONG_TRACING=memory
_enabled = False  # the relay and projections skip even the no-op calls when off


def configure(service: str, exporter: str | None = None) -> None:
    """Install the SDK for this process when tracing is asked for; once per process."""
    global _memory, _enabled
    exporter = exporter if exporter is not None else os.environ.get("SHEGONG_TRACING", "")
    if not exporter or isinstance(trace.get_tracer_provider(), _sdk_provider()):
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    provider = TracerProvider(resource=Resource.create({"service.name": f"shegong-{service}"}))
    if exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    elif exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "memory":
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        _memory = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(_memory))
    else:
        raise ValueError(f"SHEGONG_TRACING={exporter!r}: use otlp, console or memory")
    trace.set_tracer_provider(provider)
    _enabled = True


def _sdk_provider() -> type:
    from opentelemetry.sdk.trace import TracerProvider

    return TracerProvider


def enabled() -> bool:
    return _enabled


def recorded() -> list[Any]:
    """Finished spans of this process (SHEGONG_TRACING=memory only)."""
    return list(_memory.get_finished_spans()) if _memory is not None else []


def _joined(correlation_id: UUID) -> context.Context:
    """A parent whose trace id is the correlation id (its span id stands for the caller)."""
    parent = SpanContext(
        trace_id=correlation_id.int or 1,
        span_id=random.getrandbits(64) or 1,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


@contextmanager
def request_span(name: str, correlation_id: UUID, **attributes: Any) -> Iterator[trace.Span]:
    """The HTTP request's span, in the correlation's trace; spans opened inside are its children."""
    tracer = trace.get_tracer(TRACER)
    with tracer.start_as_current_span(
        name,
        context=_joined(correlation_id),
        kind=SpanKind.SERVER,
        attributes=_attrs(correlation_id, attributes),
    ) as span:
        yield span


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[trace.Span]:
    """A child of whatever span is current (the request's, inside a route)."""
    with trace.get_tracer(TRACER).start_as_current_span(
        name, attributes=_attrs(None, attributes)
    ) as current:
        yield current


def record_events(name: str, envelopes: Iterable[Any], started_ns: int, **attributes: Any) -> None:
    """One span per event of a finished batch (relay, projection), each in its correlation's trace."""
    if not _enabled:
        return
    tracer = trace.get_tracer(TRACER)
    ended = time.time_ns()
    for env in envelopes:
        one = tracer.start_span(
            name,
            context=_joined(env.correlation_id),
            kind=SpanKind.CONSUMER,
            start_time=started_ns,
            attributes=_attrs(
                env.correlation_id,
                {
                    "shegong.event_type": env.event_type,
                    "shegong.event_id": str(env.event_id),
                    **attributes,
                },
            ),
        )
        one.end(end_time=ended)


def _attrs(correlation_id: UUID | None, attributes: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in attributes.items() if v is not None}
    if correlation_id is not None:
        out["shegong.correlation_id"] = str(correlation_id)
    return out

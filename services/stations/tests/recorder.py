"""Events as the write services publish them, for tests that need facts of their own: envelopes
with versions counted per aggregate, ids derived from stable keys (publishing twice adds nothing)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from shegong_events import DomainEvent, Envelope
from shegong_runtime import bus

BEIJING = ZoneInfo("Asia/Shanghai")
NAMESPACE = uuid.UUID("6f1c2e0a-5b7d-4c55-9d0e-3a1f6b2c8d11")
SEALED = "sealed:v1:AAAA"  # stands for a sealed value: the board never opens it


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), BEIJING).astimezone(UTC)


class Recorder:
    """Collects envelopes per aggregate with versions counted, as an event store would."""

    def __init__(self, prefix: str = "demo") -> None:
        self.prefix = prefix
        self.published: list[tuple[str, Envelope]] = []
        self.versions: dict[str, int] = {}

    def add(
        self, event: DomainEvent, aggregate_id: str, station_id: str, on: datetime | date
    ) -> Envelope:
        stream = f"{event.aggregate_type}-{aggregate_id}"
        self.versions[stream] = self.versions.get(stream, 0) + 1
        version = self.versions[stream]
        moment = noon(on) if not isinstance(on, datetime) else on
        env = Envelope.wrap(
            event,
            aggregate_id=aggregate_id,
            station_id=station_id,
            actor="demo",
            occurred_at=moment,
        )
        event_id = uuid.uuid5(NAMESPACE, f"{self.prefix}:{stream}:{version}")
        env = env.model_copy(
            update={"event_id": event_id, "correlation_id": event_id, "aggregate_version": version}
        )
        self.published.append((event.domain, env))
        return env

    async def publish(self, nc, settings) -> None:
        js = nc.jetstream()
        await bus.ensure_domain_streams(js, ["registry", "visits", "engagement"], settings)
        for domain, env in self.published:
            subject = f"sw.{domain}.{env.station_id}.{env.event_type}.{env.aggregate_id}"
            await bus.publish_event(
                js,
                subject,
                env.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(env.event_id)},
            )

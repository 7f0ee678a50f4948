"""A FastStream subscriber of Shegong events: `pip install shegong-events[faststream]`.

    router = NatsRouter()

    @shegong_subscriber(router, domain="visits", durable="my-dashboard", event_type="NeedIdentified")
    async def on_need(delivered: Delivered) -> None:
        ...

    broker = nats_broker()          # NATS_URL, SHEGONG_NATS_USER, SHEGONG_NATS_PASSWORD
    broker.include_router(router)

declares a durable pull consumer on the domain's stream (`JStream(..., declare=False)`: the
stream belongs to the publishing service) with the subject filter asked for, hands the handler
a typed, upcast event (`shegong_events.decoding`), acknowledges after the handler returns and
asks for redelivery when it raises. Handlers must be idempotent: redelivery happens.

`nats_broker` is the one way to connect: the integrator's env file or variables
(`shegong_events.connection`), the password through FastStream's security object, TLS when
the servers are tls://.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsRouter, PullSub
from faststream.nats.annotations import NatsMessage
from faststream.security import SASLPlaintext
from nats.js.api import ConsumerConfig

from shegong_events.connection import connection_from_env
from shegong_events.decoding import Delivered, decode
from shegong_events.subjects import domain_filter, stream_name

Handler = Callable[[Delivered], Awaitable[Any]]


def nats_broker(
    env_file: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **options: Any,
) -> NatsBroker:
    """A broker for the servers and user of `env_file` (else SHEGONG_NATS_ENV_FILE, else the
    environment); raises `ConnectionNotConfigured` naming what is missing. `options` go to
    `NatsBroker` as they are (a client name, reconnect settings)."""
    conn = connection_from_env(env_file, environ)
    security = SASLPlaintext(conn.user, conn.password, ssl_context=conn.ssl_context())
    return NatsBroker(list(conn.servers), security=security, **options)


def shegong_subscriber(
    router: NatsRouter,
    *,
    domain: str,
    durable: str,
    station_id: str = "*",
    event_type: str = "*",
    aggregate_id: str = "*",
    batch_size: int = 16,
    ack_wait_s: float | None = None,
) -> Callable[[Handler], Handler]:
    """Register `handler` for the domain's events matching the filter (`*`: any).

    `ack_wait_s`: how long the server waits for a handler before it delivers the event again
    (the server's default, 30 s, when None); set when the consumer is first created."""
    subject = domain_filter(domain, station_id, event_type, aggregate_id)
    config = ConsumerConfig(ack_wait=ack_wait_s) if ack_wait_s is not None else None

    def register(handler: Handler) -> Handler:
        @router.subscriber(
            subject,
            stream=JStream(stream_name(domain), declare=False),
            durable=durable,
            pull_sub=PullSub(batch_size=batch_size),
            config=config,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=f"{durable}:{subject}",
            description=(handler.__doc__ or "").strip() or None,
        )
        async def receive(message: NatsMessage) -> None:
            await handler(decode(message.body))

        return handler

    return register

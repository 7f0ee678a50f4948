"""Driving a service in-process over HTTP in tests, with its lifespan (relay, consumers) running."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from nats.aio.client import Client
from shegong_events import Envelope
from shegong_events.registry import StationOpened
from shegong_runtime import auth, bus
from shegong_runtime.crypto import KeyStore
from shegong_runtime.demo import DEMO_DISTRICTS
from shegong_runtime.eventstore import EventStore
from shegong_runtime.service import Service, runtime
from shegong_runtime.settings import Settings


def settings_for(database_url: str, nats_url: str, service: str, **overrides: object) -> Settings:
    """A service in a test: small pools, since a suite runs every service against one server."""
    values: dict[str, Any] = {  # pydantic validates each against its field
        "database_url": database_url,
        "nats_url": nats_url,
        "service": service,
        "log_json": True,
        "projection_fetch_timeout_s": 0.2,
        "relay_idle_poll_s": 0.02,
        "database_pool_size": 4,
        **overrides,
    }
    return Settings(**values)


class AppClient(httpx.AsyncClient):
    """A client bound to one app in this process; the app (its `state.runtime`) stays at hand."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://test")
        self.app = app


def store_of(app: FastAPI) -> EventStore:
    """A write service's event store, for a test that reads its streams directly."""
    return runtime(app).events


def keys_of(app: FastAPI) -> KeyStore:
    """A write service's key store, for a test that opens what it sealed."""
    return runtime(app).sealing


@asynccontextmanager
async def service_client(
    service: Service, database_url: str, nats_url: str, **overrides: object
) -> AsyncIterator[AppClient]:
    settings = settings_for(database_url, nats_url, service.name, **overrides)
    app = service.app(settings)
    async with app.router.lifespan_context(app), AppClient(app) as client:
        yield client


def bearer(
    settings: Settings,
    role: str,
    stations: Iterable[str] = (),
    district: str | None = None,
    subject: str = "tester",
) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.issue(settings, subject, role, stations, district)}"}


async def open_stations(
    nc: Client, settings: Settings, stations: Iterable[tuple[str, str]]
) -> None:
    """Publish StationOpened for (station_id, district_id) pairs, as the registry would: the
    event id is the station's own (so a second call is the same event, deduplicated) and, as
    every event on a domain stream, it is the message's `Nats-Msg-Id`. A registry that
    reconciles its store with the stream adopts it as its own."""
    js = nc.jetstream()
    await bus.ensure_domain_streams(js, ["registry"], settings)
    for station_id, district_id in stations:
        event = StationOpened(
            station_id=station_id,
            name=f"{station_id} 社工站",
            city="兰州市",
            district_id=district_id,
            district_name=DEMO_DISTRICTS.get(district_id, district_id),
            street=station_id,
            kind="street",
        )
        env = Envelope.wrap(event, aggregate_id=station_id, station_id=station_id, actor="test")
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"shegong:test-open:{station_id}")
        env = env.model_copy(update={"aggregate_version": 1, "event_id": event_id})
        await bus.publish_event(
            js,
            f"sw.registry.{station_id}.StationOpened.{station_id}",
            env.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(event_id)},
        )


async def every(
    client: httpx.AsyncClient, path: str, params: dict[str, Any] | None = None, **kwargs: Any
) -> list[Any]:
    """Every row of a paged list, walked through `next` (and checked against its `Link`)."""
    rows: list[Any] = []
    ask = dict(params or {})
    while True:
        r = await client.get(path, params=ask, **kwargs)
        r.raise_for_status()
        body = r.json()
        rows.extend(body["items"])
        if body["next"] is None:
            assert "link" not in r.headers, r.headers["link"]
            return rows
        assert f"cursor={body['next']}" in r.headers["link"], r.headers.get("link")
        ask["cursor"] = body["next"]

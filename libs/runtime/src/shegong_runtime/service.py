"""The one place a service is wired: pool, bus, event store, relay, projections, HTTP app.

A write service owns a domain (its event store schema and stream); a projection service owns
none and only consumes. Every replica runs the same process: the relay is single active by
lock, the projections share their durable consumers' work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI
from nats.aio.client import Client

from shegong_runtime import bus, connections, http, logging, reconcile, routes, tracing
from shegong_runtime.crypto import KeyStore
from shegong_runtime.eventstore import EventStore
from shegong_runtime.projection import Projection, ProjectionRunner
from shegong_runtime.relay import Relay
from shegong_runtime.settings import OwnSettings, Settings, default_secrets
from shegong_runtime.snapshots import Snapshots
from shegong_runtime.station_directory import KnownStations, StationDirectory

log = logging.get("service")


@dataclass
class Runtime:
    """What a running service holds; handlers and views reach it through `app.state.runtime`."""

    settings: Settings
    pool: asyncpg.Pool
    nc: Client
    store: EventStore | None
    keys: KeyStore | None
    stations: StationDirectory
    relay: Relay | None = None
    runners: list[ProjectionRunner] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def events(self) -> EventStore:
        """The event store of a write service (a read-only service such as the board has none)."""
        assert self.store is not None, f"{self.settings.service} keeps no event store"
        return self.store

    @property
    def sealing(self) -> KeyStore:
        """The key store of a service that seals personal data."""
        assert self.keys is not None, f"{self.settings.service} keeps no key store"
        return self.keys


@dataclass
class Service:
    name: str  # also the event store schema
    title: str
    domain: str | None  # the domain it publishes; None for projection-only services
    routers: Sequence[APIRouter] = ()
    projections: Sequence[Projection] = ()
    consumes: Sequence[str] = ()  # streams it reads beyond its projections' (declared at start)
    on_start: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    background: Sequence[Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]] = ()
    own_settings: OwnSettings | None = None  # its `config.settings`, read anew by `app()`
    # its erasure events by type, and the data subjects whose keys each destroys: an erasure
    # the stream holds and a restored store lacks destroys them again (`reconcile`)
    erasures: reconcile.Erasures = field(default_factory=dict)

    def app(self, settings: Settings | None = None) -> FastAPI:
        """The service's FastAPI app; its lifespan starts the relay, projections and jobs."""
        settings = settings or Settings(service=self.name)
        if self.own_settings is not None:  # a bad SHEGONG_<NAME>_* value stops the start here
            self.own_settings.cache_clear()
            self.own_settings()
        logging.configure(settings.log_level, settings.log_json)
        tracing.configure(self.name, settings.tracing)
        known = KnownStations(self.name)

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            stop = asyncio.Event()
            rt = await self._start(settings, known, stop)
            app.state.runtime = rt
            try:
                yield
            finally:
                await self._stop(rt, stop)

        app = FastAPI(
            title=self.title, lifespan=lifespan, generate_unique_id_function=routes.operation_id
        )
        app.state.settings = settings
        app.state.service = self
        http.install(app, lambda: readiness(app))
        for router in self.routers:
            app.include_router(router)
        return app

    async def _start(
        self, settings: Settings, known: KnownStations, stop: asyncio.Event
    ) -> Runtime:
        if weak := default_secrets(settings):
            if settings.require_secrets:
                raise RuntimeError(
                    f"set {', '.join('SHEGONG_' + w.upper() for w in weak)}: still the development default"
                )
            log.warning("settings.development_secrets", service=self.name, secrets=weak)
        pool = await connections.open_pool(settings, max_size=settings.database_pool_size)
        nc = await connections.open_bus(settings, self.name)
        store = keys = None
        if self.domain:
            store = EventStore(pool, self.name)
            await store.migrate()
            keys = KeyStore(pool, self.name, settings.master_key)
            await keys.migrate()
            if settings.snapshot_every:
                store.snapshots = Snapshots(store, settings.snapshot_every)  # table: step 3
        projections = [known, *self.projections]
        domains = (
            {d for p in projections for d in p.domains}
            | set(self.consumes)
            | ({self.domain} if self.domain else set())
        )
        owned = {self.domain} if self.domain else set()
        await connections.patiently(  # a start during a leader election waits for the new leader
            lambda: bus.ensure_domain_streams(
                nc.jetstream(), sorted(domains), settings, owned=owned
            )
        )
        if store is not None and self.domain:  # before any command: the stream is the second copy
            await self._reconcile(store, keys, nc)
        rt = Runtime(settings, pool, nc, store, keys, StationDirectory(pool, known))
        for hook in self.on_start:  # before any consumer runs: hooks may create tables
            await hook(rt)
        if store is not None and self.domain:
            rt.relay = Relay(store, nc, self.domain, settings)
            rt.tasks.append(asyncio.create_task(rt.relay.run(stop), name="relay"))
        for projection in projections:
            runner = ProjectionRunner(projection, pool, nc, settings)
            rt.runners.append(runner)
            rt.tasks.append(
                asyncio.create_task(runner.run(stop), name=f"projection:{projection.name}")
            )
        for job in self.background:
            rt.tasks.append(
                asyncio.create_task(job(rt, stop), name=getattr(job, "__name__", "job"))
            )
        log.info("service.started", service=self.name)
        return rt

    async def _reconcile(self, store: EventStore, keys: KeyStore | None, nc: Client) -> None:
        """Give the store back what its stream holds; a fork stops the start (and the process)."""
        assert self.domain is not None
        domain = self.domain
        done = await connections.patiently(
            lambda: reconcile.reconcile(store, nc.jetstream(), domain, keys, self.erasures),
            retry=lambda exc: not isinstance(exc, reconcile.StoreForked),
        )
        log.info(
            "service.reconciled",
            service=self.name,
            scanned=done.scanned,
            imported=done.imported,
            erasures_enforced=done.erasures_enforced,
            relay_reset=done.relay_reset,
            seconds=round(done.seconds, 3),
        )

    async def _stop(self, rt: Runtime, stop: asyncio.Event) -> None:
        stop.set()  # the relay and runners finish the batch in hand, then return
        await asyncio.wait(rt.tasks, timeout=15)
        for t in rt.tasks:
            t.cancel()
        await rt.nc.drain()
        await rt.pool.close()
        log.info("service.stopped", service=self.name)


async def readiness(app: FastAPI) -> dict[str, bool]:
    """What /readyz reports: every part of the running service, by name."""
    rt: Runtime | None = getattr(app.state, "runtime", None)
    if rt is None:
        return {"started": False}
    checks = {"nats": rt.nc.is_connected}
    try:
        checks["postgres"] = await rt.pool.fetchval("SELECT 1", timeout=2) == 1
    except Exception:  # noqa: BLE001 - whatever keeps the probe from answering means not ready
        checks["postgres"] = False
    if rt.relay is not None:
        checks["relay"] = rt.relay.running
    for runner in rt.runners:
        checks[f"projection:{runner.projection.name}"] = runner.running
    for task in rt.tasks:
        if task.done():
            checks[f"task:{task.get_name()}"] = False
    return checks


def runtime(app_or_request: Any) -> Runtime:
    app = getattr(app_or_request, "app", app_or_request)
    return app.state.runtime

"""Wires the workbench: its users' schema, the pages, the proxy to the services, the assets."""

from __future__ import annotations

from contextlib import asynccontextmanager

from shegong_runtime.service import Runtime, Service

from shegong_workbench import audit, config, headers, session, throttle, users
from shegong_workbench.entrypoints import assets, router
from shegong_workbench.upstream import Upstreams


async def prepare(rt: Runtime) -> None:
    await users.migrate(rt.pool, session.DDL, throttle.DDL, audit.DDL)


class Workbench(Service):
    """A Service whose app also carries its upstreams and static files."""

    def app(self, settings=None, transports=None):
        app = super().app(settings)  # reads config.settings() anew
        app.state.upstreams = Upstreams(config.settings(), dict(transports or {}))
        app.mount("/static", assets.static, name="static")
        headers.install(app)
        started = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(a):
            async with started(a):
                yield
            await a.state.upstreams.close()  # its connections to the services

        app.router.lifespan_context = lifespan
        return app


service = Workbench(
    name="workbench",
    title="Shegong station workbench (社工站工作台)",
    domain=None,  # records nothing itself: every change goes to the services' APIs
    routers=[router],
    on_start=[prepare],
    own_settings=config.settings,
)

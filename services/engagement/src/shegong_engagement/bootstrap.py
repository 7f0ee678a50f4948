"""Wires the engagement service together: routes, read models, settings, the session sweeper."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from shegong_runtime.service import Service
from shegong_runtime.settings import Settings

from shegong_engagement import config as settings
from shegong_engagement.config import EngagementConfig
from shegong_engagement.entrypoints.http import router
from shegong_engagement.projections import EngagementViews
from shegong_engagement.sweeper import sweeper


@dataclass
class EngagementService(Service):
    """A Service whose routes and sweeper share one `EngagementConfig`."""

    config: EngagementConfig = field(default_factory=EngagementConfig)

    def app(self, settings_: Settings | None = None) -> FastAPI:
        app = super().app(settings_)
        app.dependency_overrides[settings.current] = lambda: self.config
        return app


def build(config: EngagementConfig | None = None) -> Service:
    config = config or EngagementConfig()
    return EngagementService(
        name="engagement",
        title="Shegong engagement (参与): meetings, deliberation, volunteers",
        domain="engagement",
        routers=[router],
        projections=[EngagementViews()],
        background=[sweeper(config)],
        config=config,
    )


service = build()

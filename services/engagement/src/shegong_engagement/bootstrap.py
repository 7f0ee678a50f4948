"""Wires the engagement service together: routes, read models, settings, the session sweeper."""

from __future__ import annotations

from shegong_runtime.service import Runtime, Service

from shegong_engagement.config import EngagementConfig
from shegong_engagement.entrypoints.http import router
from shegong_engagement.projections import EngagementViews
from shegong_engagement.sweeper import sweeper


def build(config: EngagementConfig | None = None) -> Service:
    config = config or EngagementConfig()

    async def remember_config(rt: Runtime) -> None:
        rt.extras["config"] = config

    return Service(
        name="engagement",
        title="Shegong engagement (参与): meetings, deliberation, volunteers",
        domain="engagement",
        routers=[router],
        projections=[EngagementViews()],
        on_start=[remember_config],
        background=[sweeper(config)],
    )


service = build()

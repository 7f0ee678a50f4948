"""Wires the engagement service together: routes, read models, settings, the session sweeper."""

from __future__ import annotations

from shegong_runtime.service import Service

from shegong_engagement import config
from shegong_engagement.entrypoints.http import router
from shegong_engagement.erasures import ERASURES
from shegong_engagement.projections import EngagementViews
from shegong_engagement.sweeper import sweep_sessions

service = Service(
    name="engagement",
    title="Shegong engagement (参与): meetings, deliberation, volunteers",
    domain="engagement",
    routers=[router],
    projections=[EngagementViews()],
    background=[sweep_sessions],
    own_settings=config.settings,
    erasures=ERASURES,
)

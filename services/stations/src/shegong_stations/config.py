"""Stations settings (SHEGONG_STATIONS_*): how far back the charts look, how long a dashboard
sign-in lasts, how long a roundup may be, how many urgent needs a page lists."""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHEGONG_STATIONS_", extra="ignore")

    trend_weeks: int = Field(default=12, ge=1, le=104, description="weeks a visits chart shows")
    roundup_max_days: int = Field(default=366, ge=7, description="longest span of a roundup")
    urgent_needs_shown: int = Field(default=50, ge=1, le=1000, description="urgent needs per page")
    stations_shown: int = Field(
        default=50, ge=1, le=500, description="stations a dashboard page lists (下一页 for more)"
    )


@cache
def settings() -> StationsSettings:
    """Read once per process, when the service starts (`Service.own_settings`)."""
    return StationsSettings()

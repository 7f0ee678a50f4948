"""The visits service's settings: visit intervals per risk tier, from SHEGONG_VISITS_* variables."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shegong_visits.domain.household import HouseholdDecider
from shegong_visits.domain.policy import VisitPolicy


class VisitsSettings(BaseSettings):
    """Defaults follow station practice: high weekly, key monthly, general quarterly."""

    model_config = SettingsConfigDict(env_prefix="SHEGONG_VISITS_", extra="ignore")

    high_interval_days: float = Field(default=7, gt=0)
    high_major_change_hours: float = Field(default=24, gt=0)
    key_interval_days: float = Field(default=30, gt=0)
    general_interval_days: float = Field(default=90, gt=0)

    def policy(self) -> VisitPolicy:
        return VisitPolicy(
            high=timedelta(days=self.high_interval_days),
            key=timedelta(days=self.key_interval_days),
            general=timedelta(days=self.general_interval_days),
            major_change=timedelta(hours=self.high_major_change_hours),
        )


@cache
def settings() -> VisitsSettings:
    """Read once per process, when the service starts (`Service.own_settings`)."""
    return VisitsSettings()


def households() -> HouseholdDecider:
    """The household decider with this deployment's visit intervals (`settings()`)."""
    return HouseholdDecider(settings().policy())

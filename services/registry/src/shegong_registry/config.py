"""The registry's own settings (SHEGONG_REGISTRY_*), typed, beside the runtime's shared ones."""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHEGONG_REGISTRY_", extra="ignore")

    # an approval that keeps losing the race for its station's next filing number gives up
    # (409 FilingNumbersBusy) after this many tries
    numbering_attempts: int = Field(default=20, ge=1, le=1000)


@cache
def settings() -> RegistrySettings:
    """Read once per process, when the service starts (`Service.own_settings`)."""
    return RegistrySettings()

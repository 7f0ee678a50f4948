"""The workbench's own settings (SHEGONG_WORKBENCH_*): where the services it calls listen."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict
from shegong_runtime import catalogue

UPSTREAMS = ("registry", "visits", "engagement", "stations")


def _default(name: str) -> str:
    return f"http://127.0.0.1:{catalogue.port_of(name)}"


class WorkbenchSettings(BaseSettings):
    """Upstream base URLs default to the ports `shegong up` gives each service."""

    model_config = SettingsConfigDict(env_prefix="SHEGONG_WORKBENCH_", extra="ignore")

    registry_url: str = _default("registry")
    visits_url: str = _default("visits")
    engagement_url: str = _default("engagement")
    stations_url: str = _default("stations")
    # the sign-in cookie is sent over HTTPS only; off for http://127.0.0.1 on a laptop
    secure_cookie: bool = False
    session_hours: int = 12  # a session ends this long after its sign-in, used or not
    idle_minutes: int = 30  # ... or this long after it was last used
    signin_free_failures: int = 3  # failures of one account before each try must wait
    address_free_failures: int = 10  # failures from one address before each try must wait
    signin_lock_after: int = 10  # failures in a row that lock an account until a lead lifts it
    # the password of the demo users `shegong up` creates (never used outside the demo)
    demo_password: str = "shegong-demo"

    def url_of(self, service: str) -> str:
        return getattr(self, f"{service}_url")


@cache
def settings() -> WorkbenchSettings:
    """Read once per process, when the service starts (`Service.own_settings`)."""
    return WorkbenchSettings()

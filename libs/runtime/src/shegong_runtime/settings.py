"""Configuration from environment variables (SHEGONG_*), one place for every service."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a Shegong process. See README, Configuration."""

    model_config = SettingsConfigDict(env_prefix="SHEGONG_", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/shegong",
        validation_alias="DATABASE_URL",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", validation_alias="NATS_URL")
    # connections of one process's pool (each process also holds one for its relay lock and one
    # per projection for its leases): replicas x this must stay under the server's max_connections
    database_pool_size: int = Field(default=10, ge=2, le=200)
    # this service's NATS user: its permissions allow publishing only its own domain's subjects
    nats_user: str | None = None
    nats_password: str | None = None
    service: str = "service"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_max_body_bytes: int = 1_048_576  # a larger request body is refused (413) unread
    http_max_upload_bytes: int = 16_777_216  # the same for a file upload (paths under /ledger/)
    log_level: str = "INFO"
    tracing: str = ""  # "", otlp, console or memory (shegong_runtime.tracing)
    log_json: bool | None = None  # None: JSON off a TTY, console on a TTY

    # JetStream streams (DESIGN.md: file storage, kept forever, replicas by configuration)
    stream_replicas: int = 1
    stream_duplicate_window_s: float = 120.0
    stream_max_age_s: float = 0.0  # 0 keeps events forever

    relay_batch_size: int = 500
    # a command that folds this many events or more leaves a snapshot of the state (0: never)
    snapshot_every: int = Field(default=50, ge=0)
    relay_idle_poll_s: float = 1.0  # a fallback: commits wake the relay (relay/loop.py)
    relay_lock_poll_s: float = 1.0
    relay_ack_timeout_s: float = (
        5.0  # a batch unacknowledged this long is scanned for and sent again
    )

    projection_batch_size: int = 256
    projection_max_attempts: int = 5
    projection_fetch_timeout_s: float = 1.0
    # partitions of each domain's partition stream, fixed when the stream is created
    projection_partitions: int = Field(default=4, ge=1, le=64)
    projection_lease_poll_s: float = 0.5  # how often a replica renews and rebalances its leases
    projection_member_ttl_s: float = 2.5  # a replica silent this long no longer counts in the share
    projection_gap_alarm_s: float = 30.0  # how often a waiting gap is logged again

    # authentication: HS256 shared secret for bearer tokens
    jwt_secret: str = "change-me-in-production-shegong-dev-secret"
    jwt_issuer: str = "shegong"
    # secrets still accepted while tokens signed with them expire (comma-separated): rotation
    jwt_previous_secrets: str = ""
    # key-encryption key for per-subject data keys (base64 of 32 bytes)
    master_key: str = "c2hlZ29uZy1kZXYtbWFzdGVyLWtleS0zMi1ieXRlcyE="
    # HMAC key of the fingerprints stored beside Idempotency-Keys (never an unkeyed hash of a body)
    fingerprint_secret: str = "change-me-in-production-shegong-dev-fingerprints"

    state_dir: str = ".state"
    # refuse to start while a secret is at its development default (set in production)
    require_secrets: bool = False


DEV_SECRETS = ("jwt_secret", "master_key", "fingerprint_secret")


def default_secrets(settings: Settings) -> list[str]:
    """The secrets still at their public development defaults (fine on a laptop, not in a bureau)."""
    defaults = Settings.model_fields
    return [name for name in DEV_SECRETS if getattr(settings, name) == defaults[name].default]


def for_service(name: str) -> Settings:
    """A service's settings: its own PostgreSQL when the operator gave it one
    (`SHEGONG_<NAME>_DATABASE_URL`, e.g. a busy visits moved off the shared `DATABASE_URL`)."""
    import os

    settings = Settings(service=name)
    own = os.environ.get(f"SHEGONG_{name.upper()}_DATABASE_URL")
    return settings.model_copy(update={"database_url": own}) if own else settings


class OwnSettings(Protocol):
    """A service's own settings: `settings()` in its `config.py`, a `functools.cache`d function
    returning its `<Name>Settings(BaseSettings)` read from `SHEGONG_<NAME>_*` variables.

    Routes and jobs call `config.settings()`; nothing passes the values around. The kit reads
    them anew whenever it makes the service's app (`Service(own_settings=config.settings)`), so
    a bad value stops the start, and a test sets the variables before it starts the service
    (or, without a service, calls `config.settings.cache_clear()` after setting them).
    """

    def __call__(self) -> BaseSettings: ...

    def cache_clear(self) -> None: ...

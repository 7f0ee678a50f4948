"""Settings of the notifications service only (SHEGONG_NOTIFY_*), beside the runtime's.

Read where they are used (the courier and the reminder clock, when each starts), so a replica
takes its environment at start-up and nothing passes them around by name.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHEGONG_NOTIFY_", extra="ignore")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "shegong-notify@localhost"
    smtp_timeout_s: float = 10.0

    webhook_secret: str = Field(
        default="change-me-shegong-webhook-signing-secret",
        description="signs webhooks of recipients that registered no secret of their own",
    )
    webhook_timeout_s: float = 10.0

    max_attempts: int = Field(default=8, ge=1)
    retry_base_s: float = Field(default=5.0, gt=0)
    retry_cap_s: float = Field(default=3600.0, gt=0)

    workers: int = Field(default=4, ge=1, description="deliveries sent at once by one replica")
    poll_s: float = Field(default=0.5, gt=0)
    timer_poll_s: float = Field(default=1.0, gt=0)

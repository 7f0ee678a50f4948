"""Settings of the notifications service only (SHEGONG_NOTIFICATIONS_*), beside the runtime's.

Read once per process, when the service starts (`Service.own_settings`); the courier and the
reminder clock call `settings()` when each starts. The older prefix SHEGONG_NOTIFY_* is still
read, below the new one, so existing deployments keep their values.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

LEGACY_PREFIX = "SHEGONG_NOTIFY_"


class NotificationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHEGONG_NOTIFICATIONS_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        legacy = EnvSettingsSource(settings_cls, env_prefix=LEGACY_PREFIX)
        return init_settings, env_settings, legacy, dotenv_settings, file_secret_settings

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "shegong-notify@localhost"
    smtp_timeout_s: float = 10.0

    webhook_secret: str = Field(
        default="change-me-shegong-webhook-signing-secret",
        description="signs webhooks of recipients that registered no secret of their own",
    )
    webhook_timeout_s: float = 10.0

    wecom_robots: dict[str, str] = Field(
        default_factory=dict,
        description="WeCom group robots' webhook URLs (with their key) by station id, district "
        'id or "*": JSON, e.g. {"chengguan": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."}',
    )
    dingtalk_robots: dict[str, str] = Field(
        default_factory=dict,
        description="DingTalk custom robots' webhook URLs (with their access_token), keyed as above",
    )
    dingtalk_secrets: dict[str, str] = Field(
        default_factory=dict,
        description="DingTalk robots' signing secrets (加签, SEC...), keyed as the robots",
    )
    sms_provider: Literal["log"] = "log"

    max_attempts: int = Field(default=8, ge=1)
    retry_base_s: float = Field(default=5.0, gt=0)
    retry_cap_s: float = Field(default=3600.0, gt=0)

    workers: int = Field(default=4, ge=1, description="deliveries sent at once by one replica")
    poll_s: float = Field(default=0.5, gt=0)
    timer_poll_s: float = Field(default=1.0, gt=0)


@cache
def settings() -> NotificationsSettings:
    """Read once per process, when the service starts (`Service.own_settings`)."""
    return NotificationsSettings()

"""Engagement settings (SHEGONG_ENGAGEMENT_*): quorum rules and the service-session limit.

Read once per process, when the service starts (`Service.own_settings`); the routes and the
session sweeper call `settings()`.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from shegong_events.engagement import QuorumRule

from shegong_engagement.domain.deliberation import RuleSource


class EngagementSettings(BaseSettings):
    """Defaults follow common 居民议事 rules: two thirds of members present, majority of votes.

    `quorum_by_station` overrides the default for some stations, e.g.
    SHEGONG_ENGAGEMENT_QUORUM_BY_STATION='{"xigu-fulilu": {"attendance": "1/2"}}'.
    A meeting scheduled with its own rule uses that rule before either.
    """

    model_config = SettingsConfigDict(env_prefix="SHEGONG_ENGAGEMENT_", extra="ignore")

    quorum: QuorumRule = Field(default_factory=QuorumRule)
    quorum_by_station: dict[str, QuorumRule] = Field(default_factory=dict)
    session_limit_hours: float = Field(default=8.0, gt=0, le=72)
    sweep_interval_s: float = Field(default=60.0, gt=0)

    @property
    def session_limit(self) -> timedelta:
        """How long a service session may run before it is closed at the limit."""
        return timedelta(hours=self.session_limit_hours)

    def quorum_for(
        self, station_id: str, meeting_rule: QuorumRule | None
    ) -> tuple[QuorumRule, RuleSource]:
        """The rule a vote at this station's meeting follows, and where it came from."""
        if meeting_rule is not None:
            return meeting_rule, "meeting"
        if station_id in self.quorum_by_station:
            return self.quorum_by_station[station_id], "station"
        return self.quorum, "settings"


@cache
def settings() -> EngagementSettings:
    """The settings in force, from the environment."""
    return EngagementSettings()

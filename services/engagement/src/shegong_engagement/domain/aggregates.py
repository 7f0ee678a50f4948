"""The deciders by aggregate type, as `entrypoints/http/personal_data.py` imports them."""

from __future__ import annotations

from shegong_engagement.domain.meeting import MEETING
from shegong_engagement.domain.volunteer import VOLUNTEER

__all__ = ["MEETING", "VOLUNTEER"]

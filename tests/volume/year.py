"""The small year the volume tests share, generated once into the suite's database: a second
year on the same streams would meet the first one's (`conftest.volume_year`).

Size: SHEGONG_VOLUME_STATIONS stations at SHEGONG_VOLUME_SCALE (default 8 at 0.1, ~18,000
events); `bench/history.py` generates the full year the same way."""

from __future__ import annotations

import os
from typing import Any

STATIONS = int(os.environ.get("SHEGONG_VOLUME_STATIONS", "8"))
SCALE = float(os.environ.get("SHEGONG_VOLUME_SCALE", "0.1"))
SEED = 7
TEST_SETTINGS: dict[str, Any] = {  # the services as the tests run them, quick to notice
    "projection_fetch_timeout_s": 0.2,
    "relay_idle_poll_s": 0.02,
    "database_pool_size": 3,
    "log_json": True,
}

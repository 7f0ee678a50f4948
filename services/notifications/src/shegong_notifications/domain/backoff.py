"""The retry schedule of a failed delivery: exponential, capped, with jitter so that many
failed deliveries to one receiver do not come back at the same instant."""

from __future__ import annotations

import random
from collections.abc import Callable


def retry_delay(
    attempt: int, base_s: float, cap_s: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): equal jitter, so the
    wait is never shorter than half the exponential step and never longer than the cap."""
    step = min(cap_s, base_s * 2 ** (attempt - 1))
    return step / 2 + rand() * step / 2

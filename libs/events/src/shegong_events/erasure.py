"""What every erasure event says: why (PIPL), and when. The person's key is destroyed with it."""

from __future__ import annotations

from typing import Literal

ErasureReason = Literal["subject_request", "retention_expired", "registered_in_error"]

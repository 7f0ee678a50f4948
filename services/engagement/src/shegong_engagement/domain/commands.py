"""Base of command models: closed, so a misspelt field is refused and named (422)."""

from __future__ import annotations

from pydantic import ConfigDict
from shegong_runtime.inputs import RequestModel

ID = r"^[a-z0-9][a-z0-9\-]{0,62}$"


class Command(RequestModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

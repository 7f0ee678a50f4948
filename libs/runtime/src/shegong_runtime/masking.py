"""Field masking by role: who works with a person at their station sees their numbers; a bureau
sees that a number exists and its ends (`139****1234`), enough to match it on a call, not to use
it. Names and addresses are not masked: a bureau's follow-up needs them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shegong_runtime.auth import BUREAUS, Principal
from shegong_runtime.crypto import REDACTED

NUMBERS = ("phone", "id_number", "contact", "responsible_phone")


def mask(value: str) -> str:
    """Keep the first three and last four characters, a star for each in between (at least 4)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def for_reader(
    who: Principal, fields: Mapping[str, Any], names: tuple[str, ...] = NUMBERS
) -> dict[str, Any]:
    """The opened fields as this reader may see them: numbers masked for bureaus."""
    out = dict(fields)
    if who.role in BUREAUS:
        for name in names:
            value = out.get(name)
            if isinstance(value, str) and value and value != REDACTED:
                out[name] = mask(value)
    return out

"""Sealing and opening a household's personal data with the household's own key.

Plaintext exists only in a request being handled and in an authorised reader's answer; it is
never logged. Once a household is erased its key is gone and every sealed copy reads redacted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shegong_runtime.auth import WRITERS, Principal
from shegong_runtime.commands import Sealer
from shegong_runtime.crypto import REDACTED, SubjectErased
from shegong_runtime.service import Runtime

from shegong_visits.domain.state import HouseholdAlreadyErased


def subject(household_id: str) -> str:
    return f"household:{household_id}"


def may_read(who: Principal) -> bool:
    """Station staff and bureaus read personal data; integrators and operators never do."""
    return who.role in WRITERS


def sealer(household_id: str, seal: Sealer) -> Sealer:
    """The kit's sealer for the household's key, refusing an erased household in its own words."""

    async def sealed(value: str | None) -> str | None:
        try:
            return await seal(value)
        except SubjectErased:
            raise HouseholdAlreadyErased(
                f"家庭 {household_id} 的个人信息已删除", field="household_id"
            ) from None

    return sealed


async def seal_json(seal: Sealer, value: Mapping[str, Any] | None) -> str | None:
    if not value:
        return None
    return await seal(json.dumps(value, ensure_ascii=False, sort_keys=True))


JSON_FIELDS = frozenset({"observations_sealed"})  # sealed as JSON objects, opened back into them


async def open_value(
    rt: Runtime, household_id: str, sealed: str | None, erased: bool = False, as_json: bool = False
) -> Any:
    """The plaintext, or the redaction mark once the household is erased."""
    if erased:
        return REDACTED
    plain = await rt.sealing.open_or_redacted(subject(household_id), sealed)
    if as_json and plain is not None and plain != REDACTED:
        return json.loads(plain)
    return plain


async def open_fields(
    rt: Runtime, household_id: str, sealed: Mapping[str, str | None], erased: bool = False
) -> dict[str, Any]:
    """`{"phone_sealed": "sealed:v1:..."}` → `{"phone": "138..."}`, redacted once erased."""
    out: dict[str, Any] = {}
    for key, value in sealed.items():
        name = key.removesuffix("_sealed")
        if value is None and not erased:
            out[name] = None
        else:
            out[name] = await open_value(
                rt, household_id, value, erased, as_json=key.rsplit(".", 1)[-1] in JSON_FIELDS
            )
    return out

"""The household ledger of a station (or of every station the caller sees) as a workbook, in
the columns the import reads: an export read back by the dry run reports no errors.

Each household comes from its own events (members too, which the read model does not keep);
personal data is opened only for roles that may read it, numbers masked for bureaus, and the
opening is what the read audit records. Erased households are left out.
"""

from __future__ import annotations

from datetime import date

from shegong_events import calendar
from shegong_events.glossary import HOUSEHOLD_CATEGORY, RISK_TIER
from shegong_runtime import masking
from shegong_runtime.auth import Principal
from shegong_runtime.commands import load
from shegong_runtime.service import Runtime

from shegong_visits import config, personal
from shegong_visits.domain.state import Household
from shegong_visits.ledger import workbook
from shegong_visits.ledger.columns import COLUMNS, SHEET, members_cell


async def households(
    rt: Runtime, who: Principal, rows: list[dict], since: date | None, until: date | None
) -> bytes:
    """`rows`: the read model's households the caller may see; `since`/`until` bound the
    registration day."""
    wb = workbook.new()
    ws = workbook.sheet(wb, SHEET, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    opened = personal.may_read(who)
    assert rt.store is not None, "the ledger is read from the event store"
    for row in rows:
        if row["erased"]:
            continue
        day = calendar.local_date(row["registered_at"])
        if (since and day < since) or (until and day > until):
            continue
        state, _ = await load(rt.store, config.households(), row["household_id"])
        workbook.append(ws, await _cells(rt, who, state, opened))
    workbook.allowed_values(wb)
    return workbook.saved(wb)


async def _cells(rt: Runtime, who: Principal, state: Household, opened: bool) -> list[object]:
    hid = state.household_id
    plain: dict[str, object] = {
        "head_name": None,
        "phone": None,
        "address": None,
        "id_number": None,
    }
    members: list[tuple[str, str | None, int | None]] = [
        (m.relation, None, m.birth_year) for m in state.members
    ]
    if opened:
        plain = masking.for_reader(who, await personal.open_fields(rt, hid, state.sealed))
        members = [
            (
                m.relation,
                await personal.open_value(rt, hid, m.name_sealed) if m.name_sealed else None,
                m.birth_year,
            )
            for m in state.members
        ]
    values = {
        "household_id": hid,
        **plain,
        "community": state.community,
        "categories": "、".join(HOUSEHOLD_CATEGORY.get(c, c) for c in state.categories),
        "risk_tier": RISK_TIER.get(state.tier, state.tier),
        "registered_on": calendar.local_date(state.registered_at) if state.registered_at else None,
        "members": members_cell(members),
    }
    return [values[c.key] for c in COLUMNS]

"""Queries over the service's own read models, and how a household is shown to a caller."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shegong_runtime import generations, masking
from shegong_runtime.auth import Principal
from shegong_runtime.service import Runtime

from shegong_visits import labels, personal
from shegong_visits.domain.household import SEALED, Household
from shegong_visits.projections import PERSONAL, VisitsReadModel

READ_MODEL = VisitsReadModel()


async def _schema(rt: Runtime) -> str:
    return await generations.live_schema(rt.pool, READ_MODEL.name)


async def households(
    rt: Runtime,
    station_id: str | None,
    category: str | None,
    tier: str | None,
    include_erased: bool,
) -> list[dict]:
    s = await _schema(rt)
    rows = await rt.pool.fetch(
        f"SELECT h.*, {', '.join('p.' + k for k in PERSONAL)} FROM {s}.households h "
        f"LEFT JOIN {s}.household_personal p USING (household_id) "
        "WHERE ($1::text IS NULL OR h.station_id = $1) AND ($2::text IS NULL OR $2 = ANY(h.categories)) "
        "AND ($3::text IS NULL OR h.risk_tier = $3) AND ($4 OR NOT h.erased) "
        "ORDER BY h.station_id, h.registered_at, h.household_id",
        station_id,
        category,
        tier,
        include_erased,
    )
    return [dict(r) for r in rows]


async def present_household(rt: Runtime, who: Principal, row: dict) -> dict:
    out = {
        k: row[k]
        for k in (
            "household_id",
            "station_id",
            "community",
            "categories",
            "member_count",
            "risk_tier",
            "next_due_at",
            "last_visit_at",
            "visits",
            "erased",
        )
    }
    out["category_labels"] = [labels.CATEGORY[c] for c in row["categories"]]
    out["tier_label"] = labels.TIER[row["risk_tier"]]
    if personal.may_read(who):
        sealed = {k: row[k] for k in PERSONAL}
        opened = await personal.open_fields(rt, row["household_id"], sealed, erased=row["erased"])
        out.update(masking.for_reader(who, opened))
    return out


async def household_detail(
    rt: Runtime, who: Principal, hid: str, state: Household, version: int
) -> dict[str, Any]:
    """From the household's own events: current, and redacted rather than failing once erased."""
    reader = personal.may_read(who)
    members = []
    for m in state.members:
        member: dict[str, Any] = {
            "member_id": m.member_id,
            "relation": m.relation,
            "birth_year": m.birth_year,
        }
        if reader:
            member["name"] = (
                await personal.open_value(rt, hid, m.name_sealed, state.erased)
                if m.name_sealed
                else None
            )
        members.append(member)
    out: dict[str, Any] = {
        "household_id": hid,
        "station_id": state.station_id,
        "version": version,
        "erased": state.erased,
        "categories": list(state.categories),
        "category_labels": [labels.CATEGORY[c] for c in state.categories],
        "community": state.community,
        "member_count": state.member_count,
        "members": members,
        "risk_tier": state.tier,
        "tier_label": labels.TIER[state.tier],
        "last_visit_at": state.last_visit_at,
        "next_due_at": state.next_due_at,
        "scheduled_visits": sorted(state.scheduled),
        "needs": [
            {
                "need_id": n.need_id,
                "category": n.category,
                "severity": n.severity,
                "member_id": n.member_id,
                "status": n.status,
                "status_label": labels.NEED_STATUS[n.status],
                "identified_on": n.identified_on,
            }
            for n in state.needs.values()
        ],
        "consents": [{"purpose": p, "member_id": m} for p, m in sorted(state.consents, key=str)],
        "legal_bases": dict(state.legal_bases),
    }
    if reader:
        opened = await personal.open_fields(
            rt, hid, {k: state.sealed.get(k) for k in SEALED}, state.erased
        )
        out.update(masking.for_reader(who, opened))
    return out


async def timeline(rt: Runtime, household_id: str) -> list[dict]:
    s = await _schema(rt)
    rows = await rt.pool.fetch(
        f"SELECT * FROM {s}.timeline WHERE household_id = $1 ORDER BY version", household_id
    )
    return [
        {
            **dict(r),
            "facts": json.loads(r["facts"]),
            "sealed": json.loads(r["sealed"]) if r["sealed"] else None,
        }
        for r in rows
    ]


async def overdue(rt: Runtime, station_id: str | None, as_of: datetime) -> list[dict]:
    """Households whose next visit was due before `as_of`: computed from the read model's dates."""
    s = await _schema(rt)
    rows = await rt.pool.fetch(
        "SELECT household_id, station_id, community, categories, risk_tier, next_due_at, last_visit_at "
        f"FROM {s}.households WHERE NOT erased AND next_due_at < $2 AND ($1::text IS NULL OR station_id = $1) "
        "ORDER BY next_due_at, household_id",
        station_id,
        as_of,
    )
    return [
        {
            **dict(r),
            "tier_label": labels.TIER[r["risk_tier"]],
            "hours_overdue": int((as_of - r["next_due_at"]).total_seconds() // 3600),
        }
        for r in rows
    ]


async def open_needs(rt: Runtime, station_id: str | None, severity: str | None) -> list[dict]:
    """Open and referred needs, the most severe first."""
    s = await _schema(rt)
    rows = await rt.pool.fetch(
        f"SELECT * FROM {s}.needs WHERE status IN ('open', 'referred') "
        "AND ($1::text IS NULL OR station_id = $1) AND ($2::text IS NULL OR severity = $2) "
        "ORDER BY array_position($3::text[], severity), identified_on, household_id, need_id",
        station_id,
        severity,
        list(labels.SEVERITY_ORDER),
    )
    return [
        {
            **dict(r),
            "category_label": labels.NEED[r["category"]],
            "severity_label": labels.SEVERITY[r["severity"]],
            "status_label": labels.NEED_STATUS[r["status"]],
        }
        for r in rows
    ]

"""Queries over the service's own read models, and how a household is shown to a caller."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shegong_events import glossary
from shegong_events.glossary import word, words
from shegong_runtime import generations, masking, paging
from shegong_runtime.auth import Principal
from shegong_runtime.service import Runtime

from shegong_visits import name_index, personal
from shegong_visits.domain.state import SEALED, Household
from shegong_visits.projections import PERSONAL, VisitsReadModel

READ_MODEL = VisitsReadModel()
SEVERITY_ORDER = tuple(glossary.SEVERITY)  # urgent first


async def _schema(rt: Runtime) -> str:
    return await generations.live_schema(rt.pool, READ_MODEL.name)


read_schema = _schema  # the live read model's schema, for the ledger's queries


HOUSEHOLDS = paging.Keyset.of(
    "households", "h.station_id:text", "h.registered_at:timestamptz", "h.household_id:text"
)
TIMELINE = paging.Keyset.of("timeline", "version:integer")
TIMELINE_LATEST = paging.Keyset.of("timeline_latest", "version:integer", descending=True)
OVERDUE = paging.Keyset.of("overdue", "next_due_at:timestamptz", "household_id:text")
OVERDUE_AT_STATION = paging.Keyset.of(
    "overdue", "station_id:text", "next_due_at:timestamptz", "household_id:text"
)
SEVERITY_RANK = f"array_position('{{{','.join(SEVERITY_ORDER)}}}'::text[], severity)"
OPEN_NEEDS = paging.Keyset(
    "open_needs",
    (
        paging.Key(SEVERITY_RANK, "severity_rank", "integer"),
        paging.Key("identified_on", "identified_on", "date"),
        paging.Key("household_id", "household_id", "text"),
        paging.Key("need_id", "need_id", "text"),
    ),
)
OPEN_NEEDS_AT_STATION = paging.Keyset(
    "open_needs", (paging.Key("station_id", "station_id", "text"), *OPEN_NEEDS.keys)
)


async def households(
    rt: Runtime,
    page: paging.PageRequest,
    stations: list[str] | None,
    category: str | None,
    tier: str | None,
    include_erased: bool,
    registered: tuple[datetime | None, datetime | None] = (None, None),
) -> tuple[list[dict], str | None]:
    """One page of a station's (or everyone's) households, in order of registration."""
    s = await _schema(rt)
    select = (
        paging.Select(
            f"SELECT h.*, {', '.join('p.' + k for k in PERSONAL)} FROM {s}.households h "
            f"LEFT JOIN {s}.household_personal p USING (household_id)"
        )
        .within(stations, "h.station_id")
        .when(category, "{} = ANY(h.categories)")
        .when(tier, "h.risk_tier = {}")
        .when(registered[0], "h.registered_at >= {}")
        .when(registered[1], "h.registered_at < {}")
    )
    if not include_erased:
        select.where("NOT h.erased")
    rows, after = await select.page(rt.pool, HOUSEHOLDS, page)
    return [dict(r) for r in rows], after


def named(s: str, stations: list[str], digest: bytes) -> paging.Select:
    """The households of these stations whose head's name has this index value (`name_index`),
    looked up by station and value (`household_names_lookup`), in the list's order."""
    return (
        paging.Select(
            f"SELECT h.*, {', '.join('p.' + k for k in PERSONAL)} FROM {s}.household_names n "
            f"JOIN {s}.households h USING (household_id) "
            f"LEFT JOIN {s}.household_personal p USING (household_id)"
        )
        .within(stations, "n.station_id")
        .where("n.head_name_hmac = {}", digest)
        .where("NOT h.erased")
    )


async def households_named(
    rt: Runtime, page: paging.PageRequest, stations: list[str], name: str
) -> tuple[list[dict], str | None]:
    """One page of the households of these stations whose head is called `name` (exactly, as
    `name_index.normalised` reads it)."""
    s = await _schema(rt)
    select = named(s, stations, name_index.digest(name, rt.settings.master_key))
    rows, after = await select.page(rt.pool, HOUSEHOLDS, page)
    return [dict(r) for r in rows], after


async def every_household(rt: Runtime, stations: list[str] | None) -> list[dict]:
    """Every household not erased of these stations, in the list's order: a ledger download
    is the one read that takes them all (a station's few thousand, never a page)."""
    s = await _schema(rt)
    select = paging.Select(f"SELECT h.* FROM {s}.households h").within(stations, "h.station_id")
    select.where("NOT h.erased")
    return [dict(r) for r in await select.fetch(rt.pool, HOUSEHOLDS.order_by)]


async def present_households(rt: Runtime, who: Principal, rows: list[dict]) -> list[dict]:
    """A page of households as the list shows them, their keys read together for the page."""
    async with rt.sealing.holding(personal.subject(r["household_id"]) for r in rows):
        return [await present_household(rt, who, r) for r in rows]


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
    out["category_labels"] = words(glossary.HOUSEHOLD_CATEGORY, row["categories"])
    out["tier_label"] = word(glossary.RISK_TIER, row["risk_tier"])
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
        "category_labels": words(glossary.HOUSEHOLD_CATEGORY, state.categories),
        "community": state.community,
        "member_count": state.member_count,
        "members": members,
        "risk_tier": state.tier,
        "tier_label": word(glossary.RISK_TIER, state.tier),
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
                "status_label": word(glossary.NEED_STATUS, n.status),
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


EVENT_TITLE = {
    "HouseholdRegistered": "登记建档",
    "HouseholdUpdated": "信息更新",
    "RiskTierAssigned": "风险分级",
    "VisitScheduled": "安排走访",
    "VisitRecorded": "走访记录",
    "FollowUpScheduled": "安排跟进",
    "NeedIdentified": "发现需求",
    "NeedReferred": "需求转介",
    "NeedResolved": "需求解决",
    "NeedClosed": "需求关闭",
    "ConsentGranted": "同意授权",
    "ConsentWithdrawn": "撤回同意",
    "LegalBasisRecorded": "记录法定依据",
    "HouseholdErased": "个人信息删除",
}
NEED_EVENTS = ("NeedIdentified", "NeedReferred", "NeedResolved", "NeedClosed")


def title(event_type: str, facts: dict) -> str:
    """One line for a timeline entry, e.g. 走访记录（入户走访）：政策宣传、心理疏导; the codes'
    words come from the glossary."""
    head = EVENT_TITLE.get(event_type, event_type)
    if event_type == "VisitRecorded":
        kinds = [s["kind"] for s in facts.get("services", [])]
        services = "、".join(words(glossary.SERVICE_KIND, kinds))
        mode = word(glossary.VISIT_MODE, facts.get("mode"))
        return f"{head}（{mode}）" + (f"：{services}" if services else "")
    if event_type in NEED_EVENTS:
        category = word(glossary.NEED_CATEGORY, facts.get("category"))
        return f"{head}：{category}（{word(glossary.SEVERITY, facts.get('severity'))}）"
    if event_type == "RiskTierAssigned":
        return f"{head}：{word(glossary.RISK_TIER, facts.get('tier'))}"
    return head


async def timeline(
    rt: Runtime,
    who: Principal,
    household_id: str,
    page: paging.PageRequest,
    newest_first: bool = False,
) -> tuple[list[dict], str | None]:
    """A page of the household's events, titled; sealed values opened for staff."""
    s = await _schema(rt)
    rows, after = await (
        paging.Select(f"SELECT * FROM {s}.timeline")
        .where("household_id = {}", household_id)
        .page(rt.pool, TIMELINE_LATEST if newest_first else TIMELINE, page)
    )
    out = []
    for r in rows:
        facts = json.loads(r["facts"])
        entry = {k: r[k] for k in ("version", "event_type", "occurred_at", "actor")}
        entry.update(facts=facts, title=title(r["event_type"], facts))
        sealed = json.loads(r["sealed"]) if r["sealed"] else None
        if personal.may_read(who) and sealed:
            purged = any(v is None for v in sealed.values())  # erasure nulls every sealed value
            opened = await personal.open_fields(rt, household_id, sealed, erased=purged)
            entry["personal"] = masking.for_reader(who, opened)
        out.append(entry)
    return out, after


async def overdue(
    rt: Runtime,
    page: paging.PageRequest,
    stations: list[str] | None,
    as_of: datetime,
    tier: str | None = None,
) -> tuple[list[dict], str | None]:
    """Households whose next visit was due before `as_of`, the longest overdue first."""
    s = await _schema(rt)
    select = paging.Select(
        "SELECT household_id, station_id, community, categories, risk_tier, next_due_at, "
        f"last_visit_at FROM {s}.households"
    ).where("NOT erased AND next_due_at < {}", as_of)
    select.when(tier, "risk_tier = {}")
    keyset = OVERDUE_AT_STATION if stations is not None and len(stations) == 1 else OVERDUE
    rows, after = await select.within(stations).page(rt.pool, keyset, page)
    return [
        {
            **dict(r),
            "tier_label": word(glossary.RISK_TIER, r["risk_tier"]),
            "hours_overdue": int((as_of - r["next_due_at"]).total_seconds() // 3600),
        }
        for r in rows
    ], after


async def open_needs(
    rt: Runtime, page: paging.PageRequest, stations: list[str] | None, severity: str | None
) -> tuple[list[dict], str | None]:
    """Open and referred needs, the most severe first."""
    s = await _schema(rt)
    select = (
        paging.Select(
            f"SELECT *, {SEVERITY_RANK} AS severity_rank FROM {s}.needs",
        )
        .where("status IN ('open', 'referred')")
        .within(stations)
        .when(severity, "severity = {}")
    )
    keyset = OPEN_NEEDS_AT_STATION if stations is not None and len(stations) == 1 else OPEN_NEEDS
    rows, after = await select.page(rt.pool, keyset, page)
    return [
        {
            **{k: v for k, v in dict(r).items() if k != "severity_rank"},
            "category_label": word(glossary.NEED_CATEGORY, r["category"]),
            "severity_label": word(glossary.SEVERITY, r["severity"]),
            "status_label": word(glossary.NEED_STATUS, r["status"]),
        }
        for r in rows
    ], after


async def open_needs_by_severity(rt: Runtime, stations: list[str] | None) -> dict[str, int]:
    """How many needs are open per severity, urgent first (an index-only count of open needs)."""
    s = await _schema(rt)
    select = paging.Select(f"SELECT severity, count(*) AS n FROM {s}.needs").where(
        "status IN ('open', 'referred')"
    )
    select.within(stations)
    rows = await select.fetch(rt.pool, "GROUP BY severity")
    counts = {r["severity"]: r["n"] for r in rows}
    return {sev: counts.get(sev, 0) for sev in SEVERITY_ORDER}

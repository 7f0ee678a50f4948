"""The service's own read models: households per station with next-due dates, needs, timelines.

Personal data stays sealed here too, and only in two places (`household_personal` and the
timeline's `sealed` column), so erasing a household purges exactly those rows.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_events import CATALOG, Envelope
from shegong_events import visits as ev
from shegong_runtime.projection import Projection

DDL = """
CREATE TABLE IF NOT EXISTS {s}.households (
    household_id  text PRIMARY KEY,
    station_id    text NOT NULL,
    community     text,
    categories    text[] NOT NULL,
    member_count  integer NOT NULL,
    risk_tier     text NOT NULL DEFAULT 'general',
    next_due_at   timestamptz,
    last_visit_at timestamptz,
    visits        integer NOT NULL DEFAULT 0,
    registered_at timestamptz NOT NULL,
    erased        boolean NOT NULL DEFAULT false,
    version       integer NOT NULL
);
CREATE INDEX IF NOT EXISTS households_by_station ON {s}.households (station_id, household_id);
CREATE INDEX IF NOT EXISTS households_due ON {s}.households (next_due_at) WHERE NOT erased;
CREATE TABLE IF NOT EXISTS {s}.household_personal (
    household_id     text PRIMARY KEY,
    head_name_sealed text,
    phone_sealed     text,
    address_sealed   text,
    id_number_sealed text
);
CREATE TABLE IF NOT EXISTS {s}.needs (
    household_id  text NOT NULL,
    need_id       text NOT NULL,
    station_id    text NOT NULL,
    category      text NOT NULL,
    severity      text NOT NULL,
    member_id     text,
    status        text NOT NULL,
    identified_on date NOT NULL,
    referred_to   text,
    settled_on    date,
    PRIMARY KEY (household_id, need_id)
);
CREATE INDEX IF NOT EXISTS needs_open ON {s}.needs (station_id, severity) WHERE status IN ('open', 'referred');
CREATE TABLE IF NOT EXISTS {s}.timeline (
    household_id text NOT NULL,
    version      integer NOT NULL,
    event_type   text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    actor        text NOT NULL,
    facts        jsonb NOT NULL,
    sealed       jsonb,
    PRIMARY KEY (household_id, version)
);
"""
PERSONAL = ("head_name_sealed", "phone_sealed", "address_sealed", "id_number_sealed")


def split_sealed(data: Any, path: str = "") -> tuple[Any, dict[str, str]]:
    """The event's facts without sealed fields, and the sealed values by dotted path."""
    sealed: dict[str, str] = {}
    if isinstance(data, dict):
        facts = {}
        for key, value in data.items():
            if key.endswith("_sealed"):
                if value is not None:
                    sealed[f"{path}{key}"] = value
                continue
            facts[key], inner = split_sealed(value, f"{path}{key}.")
            sealed.update(inner)
        return facts, sealed
    if isinstance(data, list):
        out = []
        for i, value in enumerate(data):
            item, inner = split_sealed(value, f"{path}{i}.")
            out.append(item)
            sealed.update(inner)
        return out, sealed
    return data, sealed


class VisitsReadModel(Projection):
    name = "visits_read"
    domains = ("visits",)
    ddl = DDL

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        fact = CATALOG.decode(event)
        hid = event.aggregate_id
        await self._timeline(conn, s, event)
        if isinstance(fact, ev.HouseholdRegistered):
            await conn.execute(
                f"INSERT INTO {s}.households (household_id, station_id, community, categories, member_count, "
                "registered_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (household_id) DO NOTHING",
                hid,
                event.station_id,
                fact.community,
                fact.categories,
                fact.member_count,
                fact.registered_at,
                event.aggregate_version,
            )
            await self._personal(conn, s, hid, fact)
        elif isinstance(fact, ev.HouseholdUpdated):
            await conn.execute(
                f"UPDATE {s}.households SET categories = coalesce($2, categories), community = coalesce($3, community), "
                "member_count = coalesce($4, member_count) WHERE household_id = $1",
                hid,
                fact.categories,
                fact.community,
                fact.member_count,
            )
            await self._personal(conn, s, hid, fact)
        elif isinstance(fact, ev.RiskTierAssigned):
            await self._household(
                conn, s, hid, "risk_tier = $2, next_due_at = $3", fact.tier, fact.next_due_at
            )
        elif isinstance(fact, ev.VisitRecorded):
            await self._household(
                conn,
                s,
                hid,
                "visits = visits + 1, last_visit_at = greatest(last_visit_at, $2), next_due_at = $3",
                fact.visited_at,
                fact.next_due_at,
            )
        elif isinstance(fact, ev.FollowUpScheduled):
            await self._household(conn, s, hid, "next_due_at = $2", fact.next_due_at)
        elif isinstance(fact, ev.NeedIdentified):
            await conn.execute(
                f"INSERT INTO {s}.needs (household_id, need_id, station_id, category, severity, member_id, status, "
                "identified_on) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT DO NOTHING",
                hid,
                fact.need_id,
                event.station_id,
                fact.category,
                fact.severity,
                fact.member_id,
                fact.identified_on,
            )
        elif isinstance(fact, ev.NeedReferred):
            await self._need(
                conn, s, hid, fact.need_id, "status = 'referred', referred_to = $3", fact.agency
            )
        elif isinstance(fact, ev.NeedResolved):
            await self._need(
                conn, s, hid, fact.need_id, "status = 'resolved', settled_on = $3", fact.resolved_on
            )
        elif isinstance(fact, ev.NeedClosed):
            await self._need(
                conn, s, hid, fact.need_id, "status = 'closed', settled_on = $3", fact.closed_on
            )
        elif isinstance(fact, ev.HouseholdErased):
            await self.purge(conn, s, hid)

    async def purge(self, conn: asyncpg.Connection, s: str, household_id: str) -> None:
        """Erasure: personal rows deleted, sealed timeline values dropped, nothing left due."""
        await self._household(conn, s, household_id, "erased = true, next_due_at = NULL")
        await conn.execute(
            f"DELETE FROM {s}.household_personal WHERE household_id = $1", household_id
        )
        await conn.execute(
            f"UPDATE {s}.timeline SET sealed = (SELECT jsonb_object_agg(key, null) FROM jsonb_each(sealed)) "
            "WHERE household_id = $1 AND sealed IS NOT NULL",
            household_id,
        )
        await conn.execute(
            f"UPDATE {s}.needs SET status = 'closed' WHERE household_id = $1 AND status IN ('open', 'referred')",
            household_id,
        )

    async def _household(
        self, conn: asyncpg.Connection, s: str, hid: str, assignments: str, *args: Any
    ) -> None:
        await conn.execute(
            f"UPDATE {s}.households SET {assignments} WHERE household_id = $1", hid, *args
        )

    async def _need(
        self, conn: asyncpg.Connection, s: str, hid: str, need_id: str, assignments: str, *args: Any
    ) -> None:
        await conn.execute(
            f"UPDATE {s}.needs SET {assignments} WHERE household_id = $1 AND need_id = $2",
            hid,
            need_id,
            *args,
        )

    async def _personal(
        self, conn: asyncpg.Connection, s: str, hid: str, fact: ev.VisitsEvent
    ) -> None:
        values = [getattr(fact, k) for k in PERSONAL]
        if not any(values):
            return
        # never write personal data back for a household already erased (late or replayed events)
        await conn.execute(
            f"INSERT INTO {s}.household_personal (household_id, {', '.join(PERSONAL)}) "
            "SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS "
            f"(SELECT 1 FROM {s}.households WHERE household_id = $1 AND erased) "
            "ON CONFLICT (household_id) DO UPDATE SET "
            + ", ".join(
                f"{k} = coalesce(EXCLUDED.{k}, {s}.household_personal.{k})" for k in PERSONAL
            ),
            hid,
            *values,
        )

    async def _timeline(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        facts, sealed = split_sealed(event.data)
        if await conn.fetchval(
            f"SELECT erased FROM {s}.households WHERE household_id = $1", event.aggregate_id
        ):
            sealed = {path: None for path in sealed}  # a late event of an erased household
        await conn.execute(
            f"INSERT INTO {s}.timeline (household_id, version, event_type, occurred_at, actor, facts, sealed) "
            "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb) ON CONFLICT DO NOTHING",
            event.aggregate_id,
            event.aggregate_version,
            event.event_type,
            event.occurred_at,
            event.actor,
            json.dumps(facts, ensure_ascii=False),
            json.dumps(sealed) if sealed else None,
        )

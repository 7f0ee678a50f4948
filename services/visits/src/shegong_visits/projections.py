"""The service's own read models: households per station with next-due dates, needs, timelines.

One handler per event type (`HANDLERS`), tables declared in `DDL` and named in `TABLES`; every
event also lands in the household's timeline. Rows depend on the events alone, so a rebuild
equals the live model. Personal data stays sealed here too, and only in two places
(`household_personal` and the timeline's `sealed` column); the one thing derived from it is
the head's name as a blind index (`household_names`, `name_index`), written after each batch's
handlers from the names the key store opens. Erasing a household purges exactly those rows.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.visits import (
    FollowUpScheduled,
    HouseholdErased,
    HouseholdRegistered,
    HouseholdUpdated,
    NeedClosed,
    NeedIdentified,
    NeedReferred,
    NeedResolved,
    RiskTierAssigned,
    VisitRecorded,
)
from shegong_runtime.read_models import Handler, Handlers, ReadModel
from shegong_runtime.settings import Settings

from shegong_visits.name_index import NameIndex

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
CREATE INDEX IF NOT EXISTS households_listed ON {s}.households (station_id, registered_at, household_id);
CREATE INDEX IF NOT EXISTS households_due ON {s}.households (next_due_at, household_id) WHERE NOT erased;
CREATE INDEX IF NOT EXISTS households_due_at_station ON {s}.households (station_id, next_due_at, household_id) WHERE NOT erased;
CREATE TABLE IF NOT EXISTS {s}.household_personal (
    household_id     text PRIMARY KEY,
    head_name_sealed text,
    phone_sealed     text,
    address_sealed   text,
    id_number_sealed text
);
CREATE TABLE IF NOT EXISTS {s}.household_names (
    household_id   text PRIMARY KEY,
    station_id     text NOT NULL,
    head_name_hmac bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS household_names_lookup ON {s}.household_names (station_id, head_name_hmac);
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
CREATE INDEX IF NOT EXISTS needs_open_listed ON {s}.needs ((array_position('{{urgent,high,medium,low}}'::text[], severity)), identified_on, household_id, need_id) WHERE status IN ('open', 'referred');
CREATE INDEX IF NOT EXISTS needs_open_at_station ON {s}.needs (station_id, (array_position('{{urgent,high,medium,low}}'::text[], severity)), identified_on, household_id, need_id) WHERE status IN ('open', 'referred');
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
TABLES = ("households", "household_personal", "household_names", "needs", "timeline")
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


async def _household(
    conn: asyncpg.Connection, s: str, hid: str, assignments: str, *args: Any
) -> None:
    await conn.execute(
        f"UPDATE {s}.households SET {assignments} WHERE household_id = $1", hid, *args
    )


async def _need(
    conn: asyncpg.Connection, s: str, hid: str, need_id: str, assignments: str, *args: Any
) -> None:
    await conn.execute(
        f"UPDATE {s}.needs SET {assignments} WHERE household_id = $1 AND need_id = $2",
        hid,
        need_id,
        *args,
    )


async def _personal(
    conn: asyncpg.Connection, s: str, hid: str, e: HouseholdRegistered | HouseholdUpdated
) -> None:
    values = [getattr(e, k) for k in PERSONAL]
    if not any(values):
        return
    # never write personal data back for a household already erased (late or replayed events)
    await conn.execute(
        f"INSERT INTO {s}.household_personal (household_id, {', '.join(PERSONAL)}) "
        "SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS "
        f"(SELECT 1 FROM {s}.households WHERE household_id = $1 AND erased) "
        "ON CONFLICT (household_id) DO UPDATE SET "
        + ", ".join(f"{k} = coalesce(EXCLUDED.{k}, {s}.household_personal.{k})" for k in PERSONAL),
        hid,
        *values,
    )


async def timeline(conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
    """Every event, its sealed values apart: one statement for a batch. An erased household's
    late events get their sealed values as nulls; an erasure later in the same batch nulls
    what this wrote before it, as it does for the rows written earlier."""
    rows = [(e, *split_sealed(e.data)) for e in events]
    await conn.execute(
        f"INSERT INTO {s}.timeline (household_id, version, event_type, occurred_at, actor, facts, sealed) "
        "SELECT u.household_id, u.version, u.event_type, u.occurred_at, u.actor, u.facts, "
        "CASE WHEN h.erased THEN (SELECT jsonb_object_agg(key, null) FROM jsonb_each(u.sealed)) "
        "ELSE u.sealed END "
        "FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], "
        "$6::jsonb[], $7::jsonb[]) AS u (household_id, version, event_type, occurred_at, actor, "
        f"facts, sealed) LEFT JOIN {s}.households h USING (household_id) "
        "ON CONFLICT DO NOTHING",
        [e.aggregate_id for e, _, _ in rows],
        [e.aggregate_version for e, _, _ in rows],
        [e.event_type for e, _, _ in rows],
        [e.occurred_at for e, _, _ in rows],
        [e.actor for e, _, _ in rows],
        [json.dumps(facts, ensure_ascii=False) for _, facts, _ in rows],
        [json.dumps(sealed) if sealed else None for _, _, sealed in rows],
    )


async def registered(
    conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdRegistered
) -> None:
    await conn.execute(
        f"INSERT INTO {s}.households (household_id, station_id, community, categories, member_count, "
        "registered_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (household_id) DO NOTHING",
        env.aggregate_id,
        env.station_id,
        e.community,
        e.categories,
        e.member_count,
        e.registered_at,
        env.aggregate_version,
    )
    await _personal(conn, s, env.aggregate_id, e)


async def updated(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdUpdated) -> None:
    await conn.execute(
        f"UPDATE {s}.households SET categories = coalesce($2, categories), community = coalesce($3, community), "
        "member_count = coalesce($4, member_count) WHERE household_id = $1",
        env.aggregate_id,
        e.categories,
        e.community,
        e.member_count,
    )
    await _personal(conn, s, env.aggregate_id, e)


async def tiered(conn: asyncpg.Connection, s: str, env: Envelope, e: RiskTierAssigned) -> None:
    await _household(
        conn, s, env.aggregate_id, "risk_tier = $2, next_due_at = $3", e.tier, e.next_due_at
    )


async def visited(conn: asyncpg.Connection, s: str, env: Envelope, e: VisitRecorded) -> None:
    await _household(
        conn,
        s,
        env.aggregate_id,
        "visits = visits + 1, last_visit_at = greatest(last_visit_at, $2), next_due_at = $3",
        e.visited_at,
        e.next_due_at,
    )


async def follow_up(conn: asyncpg.Connection, s: str, env: Envelope, e: FollowUpScheduled) -> None:
    await _household(conn, s, env.aggregate_id, "next_due_at = $2", e.next_due_at)


async def need_identified(
    conn: asyncpg.Connection, s: str, env: Envelope, e: NeedIdentified
) -> None:
    await conn.execute(
        f"INSERT INTO {s}.needs (household_id, need_id, station_id, category, severity, member_id, status, "
        "identified_on) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT DO NOTHING",
        env.aggregate_id,
        e.need_id,
        env.station_id,
        e.category,
        e.severity,
        e.member_id,
        e.identified_on,
    )


async def need_referred(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedReferred) -> None:
    await _need(
        conn, s, env.aggregate_id, e.need_id, "status = 'referred', referred_to = $3", e.agency
    )


async def need_resolved(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedResolved) -> None:
    await _need(
        conn, s, env.aggregate_id, e.need_id, "status = 'resolved', settled_on = $3", e.resolved_on
    )


async def need_closed(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedClosed) -> None:
    await _need(
        conn, s, env.aggregate_id, e.need_id, "status = 'closed', settled_on = $3", e.closed_on
    )


async def erased(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdErased) -> None:
    """Erasure: personal rows and the name's index deleted, sealed timeline values dropped,
    nothing left due."""
    hid = env.aggregate_id
    await _household(conn, s, hid, "erased = true, next_due_at = NULL")
    await conn.execute(f"DELETE FROM {s}.household_personal WHERE household_id = $1", hid)
    await conn.execute(f"DELETE FROM {s}.household_names WHERE household_id = $1", hid)
    await conn.execute(
        f"UPDATE {s}.timeline SET sealed = (SELECT jsonb_object_agg(key, null) FROM jsonb_each(sealed)) "
        "WHERE household_id = $1 AND sealed IS NOT NULL",
        hid,
    )
    await conn.execute(
        f"UPDATE {s}.needs SET status = 'closed' WHERE household_id = $1 AND status IN ('open', 'referred')",
        hid,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    HouseholdRegistered: registered,
    HouseholdUpdated: updated,
    RiskTierAssigned: tiered,
    VisitRecorded: visited,
    FollowUpScheduled: follow_up,
    NeedIdentified: need_identified,
    NeedReferred: need_referred,
    NeedResolved: need_resolved,
    NeedClosed: need_closed,
    HouseholdErased: erased,
}


NAMING = frozenset({HouseholdRegistered.event_type, HouseholdUpdated.event_type})


async def index_names(
    conn: asyncpg.Connection, s: str, names: NameIndex, events: list[Envelope]
) -> None:
    """Each household's head name as the batch leaves it, as its blind index: the last event
    naming the head wins; a name whose key is gone leaves no index. Written after the batch's
    handlers, so an erasure earlier in the batch has marked its household and it is skipped."""
    latest = {
        e.aggregate_id: e
        for e in events
        if e.event_type in NAMING and e.data.get("head_name_sealed") is not None
    }
    if not latest:
        return
    named = [(hid, e.data["head_name_sealed"]) for hid, e in latest.items()]
    digests = await names.digests(conn, named)
    found = [(hid, d) for (hid, _), d in zip(named, digests, strict=True) if d is not None]
    gone = [hid for (hid, _), d in zip(named, digests, strict=True) if d is None]
    if gone:
        await conn.execute(
            f"DELETE FROM {s}.household_names WHERE household_id = ANY($1::text[])", gone
        )
    if found:
        await conn.execute(
            f"INSERT INTO {s}.household_names (household_id, station_id, head_name_hmac) "
            "SELECT u.household_id, e.station_id, u.digest "
            "FROM unnest($1::text[], $2::bytea[]) AS u (household_id, digest) "
            f"JOIN {s}.households e ON e.household_id = u.household_id AND NOT e.erased "
            "ON CONFLICT (household_id) DO UPDATE SET head_name_hmac = EXCLUDED.head_name_hmac",
            [hid for hid, _ in found],
            [d for _, d in found],
        )


class VisitsReadModel(ReadModel):
    """`names`: the blind index of heads' names, given by `bind` when a runner runs the model;
    a model built bare (a spec of other rows, a benchmark) keeps no names."""

    name = "visits_read"
    domains = ("visits",)
    ddl = DDL

    handlers = Handlers(HANDLERS)

    def __init__(self, name: str | None = None, names: NameIndex | None = None) -> None:
        super().__init__(name)
        self.names = names

    def bind(self, pool: asyncpg.Pool, settings: Settings) -> VisitsReadModel:
        return VisitsReadModel(self.name, NameIndex.of(pool, settings))

    async def first(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        await timeline(conn, s, events)  # every fact is on the household's timeline

    async def apply_batch(self, conn: asyncpg.Connection, s: str, events: list[Envelope]) -> None:
        await super().apply_batch(conn, s, events)
        if self.names is not None:
            await index_names(conn, s, self.names, events)

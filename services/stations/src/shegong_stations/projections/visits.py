"""Visits facts on the board: households and their risk tier, visits, needs, follow-ups.

Only ids, categories, dates and counts are kept; sealed personal data stays in the events.
"""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.calendar import local_date
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
    VisitScheduled,
)
from shegong_runtime.read_models import Handler

from shegong_stations.queries.figures import NEED_ACT_DAYS

DDL = """
CREATE TABLE IF NOT EXISTS {s}.households (
    household_id   text PRIMARY KEY,
    station_id     text NOT NULL,
    categories     text[] NOT NULL DEFAULT '{{}}',
    community      text,
    member_count   integer,
    risk_tier      text,
    next_due_at    timestamptz,
    registered_on  date,
    erased         boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS households_station ON {s}.households (station_id);
CREATE TABLE IF NOT EXISTS {s}.visits (
    household_id      text NOT NULL,
    visit_id          text NOT NULL,
    station_id        text NOT NULL,
    status            text NOT NULL,       -- scheduled | made
    scheduled_for     date,
    visited_on        date,
    mode              text,
    services          text[] NOT NULL DEFAULT '{{}}',
    policies          text[] NOT NULL DEFAULT '{{}}',
    with_observations boolean NOT NULL DEFAULT false,
    with_notes        boolean NOT NULL DEFAULT false,
    needs_identified  integer NOT NULL DEFAULT 0,
    volunteers        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, visit_id)
);
CREATE INDEX IF NOT EXISTS visits_station ON {s}.visits (station_id, visited_on);
CREATE TABLE IF NOT EXISTS {s}.needs (
    household_id   text NOT NULL,
    need_id        text NOT NULL,
    station_id     text NOT NULL,
    category       text NOT NULL,
    severity       text NOT NULL,
    status         text NOT NULL,          -- open | referred | resolved | closed
    identified_on  date NOT NULL,
    acted_on       date,                   -- first referral, resolution or closure
    ended_on       date,
    agency_kind    text,
    PRIMARY KEY (household_id, need_id)
);
CREATE INDEX IF NOT EXISTS needs_station ON {s}.needs (station_id, status);
-- needs per station, day identified and severity: how many, how many acted on (referred,
-- resolved or closed) and within {need_act_days}, how many still open; kept by a trigger on
-- `needs`, so the board's open needs and their timeliness sum days; filled once for an
-- older generation
DO $$ BEGIN
    IF to_regclass('{s}.need_days') IS NULL THEN
        CREATE TABLE {s}.need_days (
            station_id  text NOT NULL,
            day         date NOT NULL,      -- identified_on
            severity    text NOT NULL,
            total       integer NOT NULL,
            acted       integer NOT NULL,
            in_time     integer NOT NULL,
            open        integer NOT NULL,   -- open or referred
            PRIMARY KEY (station_id, day, severity)
        );
        INSERT INTO {s}.need_days
        SELECT station_id, identified_on, severity, count(*), count(acted_on),
               count(*) FILTER (WHERE acted_on - identified_on <= {need_act_days}),
               count(*) FILTER (WHERE status IN ('open', 'referred'))
        FROM {s}.needs GROUP BY 1, 2, 3;
    END IF;
END $$;
CREATE OR REPLACE FUNCTION {s}.needs_count(n {s}.needs, d integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO {s}.need_days AS k VALUES (n.station_id, n.identified_on, n.severity, d,
        d * (n.acted_on IS NOT NULL)::int,
        d * coalesce(n.acted_on - n.identified_on <= {need_act_days}, false)::int,
        d * (n.status IN ('open', 'referred'))::int)
    ON CONFLICT (station_id, day, severity) DO UPDATE SET total = k.total + EXCLUDED.total,
        acted = k.acted + EXCLUDED.acted, in_time = k.in_time + EXCLUDED.in_time,
        open = k.open + EXCLUDED.open;
    DELETE FROM {s}.need_days WHERE station_id = n.station_id AND day = n.identified_on
        AND severity = n.severity AND total <= 0;
$$;
CREATE OR REPLACE FUNCTION {s}.needs_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM {s}.needs_count(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM {s}.needs_count(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER needs_counted AFTER INSERT OR UPDATE OR DELETE ON {s}.needs
    FOR EACH ROW EXECUTE FUNCTION {s}.needs_counted();
-- households not erased per station by category and by risk tier, and by the day their next
-- visit falls due: kept by a trigger on `households` (a visit moving the due day touches one
-- counter), so the board reads a station's counts, not its households; filled once for a
-- generation made before them
DO $$ BEGIN
    IF to_regclass('{s}.household_counts') IS NULL THEN
        CREATE TABLE {s}.household_counts (
            station_id  text NOT NULL,
            dimension   text NOT NULL,  -- category | tier
            key         text NOT NULL,
            n           integer NOT NULL,
            PRIMARY KEY (station_id, dimension, key)
        );
        INSERT INTO {s}.household_counts
        SELECT station_id, 'category', c, count(*) FROM {s}.households,
            unnest(CASE WHEN categories = '{{}}' THEN ARRAY['other'] ELSE categories END) AS c
        WHERE NOT erased GROUP BY 1, 3
        UNION ALL
        SELECT station_id, 'tier', coalesce(risk_tier, 'unassessed'), count(*)
        FROM {s}.households WHERE NOT erased GROUP BY 1, 3;
        CREATE TABLE {s}.household_due (
            station_id  text NOT NULL,
            due_day     date NOT NULL,  -- the station's calendar day of next_due_at
            n           integer NOT NULL,
            PRIMARY KEY (station_id, due_day)
        );
        INSERT INTO {s}.household_due
        SELECT station_id, (next_due_at AT TIME ZONE 'UTC' + interval '8 hours')::date, count(*)
        FROM {s}.households WHERE NOT erased AND next_due_at IS NOT NULL GROUP BY 1, 2;
    END IF;
END $$;
CREATE OR REPLACE FUNCTION {s}.households_count(
    station text, categories text[], tier text, due timestamptz, d integer, kinds boolean,
    dues boolean
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF kinds THEN
        INSERT INTO {s}.household_counts AS c
        SELECT station, 'category', k, d * count(*)
        FROM unnest(CASE WHEN categories = '{{}}' THEN ARRAY['other'] ELSE categories END) AS k
        GROUP BY k
        ON CONFLICT (station_id, dimension, key) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO {s}.household_counts AS c
        VALUES (station, 'tier', coalesce(tier, 'unassessed'), d)
        ON CONFLICT (station_id, dimension, key) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    IF dues AND due IS NOT NULL THEN
        INSERT INTO {s}.household_due AS h
        VALUES (station, (due AT TIME ZONE 'UTC' + interval '8 hours')::date, d)
        ON CONFLICT (station_id, due_day) DO UPDATE SET n = h.n + EXCLUDED.n;
    END IF;
END $$;
CREATE OR REPLACE FUNCTION {s}.households_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kinds boolean := true;
    dues boolean := true;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.erased = OLD.erased AND NEW.station_id = OLD.station_id THEN
        kinds := NEW.categories IS DISTINCT FROM OLD.categories
            OR NEW.risk_tier IS DISTINCT FROM OLD.risk_tier;
        dues := (NEW.next_due_at AT TIME ZONE 'UTC' + interval '8 hours')::date
            IS DISTINCT FROM (OLD.next_due_at AT TIME ZONE 'UTC' + interval '8 hours')::date;
    END IF;
    IF TG_OP <> 'INSERT' AND NOT OLD.erased THEN
        PERFORM {s}.households_count(OLD.station_id, OLD.categories, OLD.risk_tier,
            OLD.next_due_at, -1, kinds, dues);
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.erased THEN
        PERFORM {s}.households_count(NEW.station_id, NEW.categories, NEW.risk_tier,
            NEW.next_due_at, 1, kinds, dues);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER households_counted AFTER INSERT OR UPDATE OR DELETE ON {s}.households
    FOR EACH ROW EXECUTE FUNCTION {s}.households_counted();
-- visits made per station and day, and each household's first visit of each month: kept by a
-- trigger on `visits` whatever writes it, so the board sums days and counts one row per
-- household and month instead of every visit of the years; a generation made before them is
-- filled once from its visits, in the migration that creates them
DO $$ BEGIN
    IF to_regclass('{s}.visit_days') IS NULL THEN
        CREATE TABLE {s}.visit_days (
            station_id  text NOT NULL,
            day         date NOT NULL,
            made        integer NOT NULL,
            observed    integer NOT NULL,  -- of which with observations recorded
            PRIMARY KEY (station_id, day)
        );
        INSERT INTO {s}.visit_days
        SELECT station_id, visited_on, count(*), count(*) FILTER (WHERE with_observations)
        FROM {s}.visits WHERE status = 'made' AND visited_on IS NOT NULL GROUP BY 1, 2;
        CREATE TABLE {s}.visit_months (
            household_id  text NOT NULL,
            month         date NOT NULL,
            station_id    text NOT NULL,
            first_day     date NOT NULL,
            made          integer NOT NULL,
            PRIMARY KEY (household_id, month)
        );
        INSERT INTO {s}.visit_months
        SELECT household_id, date_trunc('month', visited_on)::date, min(station_id),
               min(visited_on), count(*)
        FROM {s}.visits WHERE status = 'made' AND visited_on IS NOT NULL GROUP BY 1, 2;
        CREATE INDEX visit_months_station ON {s}.visit_months (station_id, month, first_day);
    END IF;
END $$;
CREATE OR REPLACE FUNCTION {s}.visits_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m date;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'made' AND OLD.visited_on IS NOT NULL THEN
        m := date_trunc('month', OLD.visited_on)::date;
        UPDATE {s}.visit_days SET made = made - 1, observed = observed - OLD.with_observations::int
        WHERE station_id = OLD.station_id AND day = OLD.visited_on;
        DELETE FROM {s}.visit_days
        WHERE station_id = OLD.station_id AND day = OLD.visited_on AND made <= 0;
        UPDATE {s}.visit_months SET made = made - 1, first_day = coalesce((
            SELECT min(v.visited_on) FROM {s}.visits v WHERE v.household_id = OLD.household_id
            AND v.status = 'made' AND v.visited_on >= m AND v.visited_on < m + 31
            AND date_trunc('month', v.visited_on)::date = m), first_day)
        WHERE household_id = OLD.household_id AND month = m;
        DELETE FROM {s}.visit_months WHERE household_id = OLD.household_id AND month = m AND made <= 0;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'made' AND NEW.visited_on IS NOT NULL THEN
        INSERT INTO {s}.visit_days AS d VALUES
            (NEW.station_id, NEW.visited_on, 1, NEW.with_observations::int)
        ON CONFLICT (station_id, day) DO UPDATE
            SET made = d.made + 1, observed = d.observed + EXCLUDED.observed;
        INSERT INTO {s}.visit_months AS vm VALUES (NEW.household_id,
            date_trunc('month', NEW.visited_on)::date, NEW.station_id, NEW.visited_on, 1)
        ON CONFLICT (household_id, month) DO UPDATE
            SET made = vm.made + 1, first_day = least(vm.first_day, EXCLUDED.first_day);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER visits_counted AFTER INSERT OR UPDATE OR DELETE ON {s}.visits
    FOR EACH ROW EXECUTE FUNCTION {s}.visits_counted();
"""
DDL = DDL.replace("{need_act_days}", str(NEED_ACT_DAYS))  # the figures' own limit
TABLES = (
    "households",
    "visits",
    "needs",
    "visit_days",
    "visit_months",
    "household_counts",
    "household_due",
)


async def registered(
    conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdRegistered
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.households (household_id, station_id, categories, community, member_count, registered_on)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (household_id) DO UPDATE SET categories = $3, community = $4, member_count = $5,
                registered_on = $6""",
        env.aggregate_id,
        env.station_id,
        list(e.categories),
        e.community,
        e.member_count,
        local_date(e.registered_at),
    )


async def updated(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdUpdated) -> None:
    await conn.execute(
        f"""UPDATE {s}.households SET categories = coalesce($2, categories), community = coalesce($3, community),
                member_count = coalesce($4, member_count) WHERE household_id = $1""",
        env.aggregate_id,
        list(e.categories) if e.categories else None,
        e.community,
        e.member_count,
    )


async def _due(
    conn: asyncpg.Connection,
    s: str,
    env: Envelope,
    next_due_at: datetime | None,
    tier: str | None = None,
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.households (household_id, station_id, risk_tier, next_due_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (household_id) DO UPDATE SET next_due_at = $4,
                risk_tier = coalesce($3, {s}.households.risk_tier)""",
        env.aggregate_id,
        env.station_id,
        tier,
        next_due_at,
    )


async def tier_assigned(
    conn: asyncpg.Connection, s: str, env: Envelope, e: RiskTierAssigned
) -> None:
    await _due(conn, s, env, e.next_due_at, e.tier)


async def follow_up(conn: asyncpg.Connection, s: str, env: Envelope, e: FollowUpScheduled) -> None:
    await _due(conn, s, env, e.next_due_at)


async def visit_scheduled(
    conn: asyncpg.Connection, s: str, env: Envelope, e: VisitScheduled
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.visits (household_id, visit_id, station_id, status, scheduled_for)
            VALUES ($1, $2, $3, 'scheduled', $4)
            ON CONFLICT (household_id, visit_id) DO UPDATE SET scheduled_for = $4""",
        env.aggregate_id,
        e.visit_id,
        env.station_id,
        e.scheduled_for,
    )


async def visit_recorded(conn: asyncpg.Connection, s: str, env: Envelope, e: VisitRecorded) -> None:
    services = sorted({g.kind for g in e.services})
    policies = sorted({p for g in e.services for p in g.policies})
    await conn.execute(
        f"""INSERT INTO {s}.visits (household_id, visit_id, station_id, status, visited_on, mode, services,
                policies, with_observations, with_notes, needs_identified, volunteers)
            VALUES ($1, $2, $3, 'made', $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (household_id, visit_id) DO UPDATE SET status = 'made', visited_on = $4, mode = $5,
                services = $6, policies = $7, with_observations = $8, with_notes = $9,
                needs_identified = $10, volunteers = $11""",
        env.aggregate_id,
        e.visit_id,
        env.station_id,
        local_date(e.visited_at),
        e.mode,
        services,
        policies,
        e.observations_sealed is not None,
        e.notes_sealed is not None,
        e.needs_identified,
        len(e.volunteer_ids),
    )
    await _due(conn, s, env, e.next_due_at)


async def need_identified(
    conn: asyncpg.Connection, s: str, env: Envelope, e: NeedIdentified
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.needs (household_id, need_id, station_id, category, severity, status, identified_on)
            VALUES ($1, $2, $3, $4, $5, 'open', $6)
            ON CONFLICT (household_id, need_id) DO UPDATE SET category = $4, severity = $5, identified_on = $6""",
        env.aggregate_id,
        e.need_id,
        env.station_id,
        e.category,
        e.severity,
        e.identified_on,
    )


async def _act(
    conn: asyncpg.Connection,
    s: str,
    env: Envelope,
    need_id: str,
    status: str,
    on: date,
    ended: bool,
    agency_kind: str | None = None,
) -> None:
    await conn.execute(
        f"""UPDATE {s}.needs SET status = $3, acted_on = coalesce(acted_on, $4),
                ended_on = CASE WHEN $5 THEN $4 ELSE ended_on END,
                agency_kind = coalesce($6, agency_kind)
            WHERE household_id = $1 AND need_id = $2""",
        env.aggregate_id,
        need_id,
        status,
        on,
        ended,
        agency_kind,
    )


async def need_referred(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedReferred) -> None:
    await _act(conn, s, env, e.need_id, "referred", e.referred_on, False, e.agency_kind)


async def need_resolved(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedResolved) -> None:
    await _act(conn, s, env, e.need_id, "resolved", e.resolved_on, True)


async def need_closed(conn: asyncpg.Connection, s: str, env: Envelope, e: NeedClosed) -> None:
    await _act(conn, s, env, e.need_id, "closed", e.closed_on, True)


async def erased(conn: asyncpg.Connection, s: str, env: Envelope, e: HouseholdErased) -> None:
    """The household is gone from every list; its open needs close with it."""
    await conn.execute(
        f"UPDATE {s}.households SET erased = true, community = NULL, next_due_at = NULL WHERE household_id = $1",
        env.aggregate_id,
    )
    day = local_date(e.erased_at)
    await conn.execute(
        f"""UPDATE {s}.needs SET status = 'closed', acted_on = coalesce(acted_on, $2), ended_on = $2
            WHERE household_id = $1 AND status IN ('open', 'referred')""",
        env.aggregate_id,
        day,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    HouseholdRegistered: registered,
    HouseholdUpdated: updated,
    RiskTierAssigned: tier_assigned,
    FollowUpScheduled: follow_up,
    VisitScheduled: visit_scheduled,
    VisitRecorded: visit_recorded,
    NeedIdentified: need_identified,
    NeedReferred: need_referred,
    NeedResolved: need_resolved,
    NeedClosed: need_closed,
    HouseholdErased: erased,
}

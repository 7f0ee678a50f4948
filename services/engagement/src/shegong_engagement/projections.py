"""The engagement service's own read models: meetings and their deliberation, volunteers and hours.

Columns carry the events' field names, so a row is the event's fields plus its ids. Each
aggregate's events apply in version order: an event that arrives before its predecessor
(replicas sharing one durable consumer) is refused and redelivered. Names stay sealed here
too, so erasing a volunteer's key erases them from the read model as well.
"""

from __future__ import annotations

import asyncpg
from shegong_events import CATALOG, DomainEvent, Envelope
from shegong_runtime.projection import Projection

from shegong_engagement.projection_handlers import HANDLERS

DDL = """
CREATE TABLE IF NOT EXISTS {s}.positions (stream_id text PRIMARY KEY, version integer NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.meetings (
    meeting_id text PRIMARY KEY, station_id text NOT NULL, kind text NOT NULL, status text NOT NULL,
    title text NOT NULL, theme text, scheduled_on date, held_on date, cancelled_on date,
    cancel_reason text, venue text, format text, co_organisers jsonb NOT NULL DEFAULT '[]',
    planned_topics jsonb NOT NULL DEFAULT '[]', participants_total integer,
    participant_groups jsonb NOT NULL DEFAULT '[]', topics jsonb NOT NULL DEFAULT '[]',
    outcomes jsonb NOT NULL DEFAULT '[]', members_total integer, members_present integer,
    quorum_rule jsonb, model_station_id text, summary text, description text
);
CREATE INDEX IF NOT EXISTS meetings_by_station ON {s}.meetings (station_id, kind);
CREATE TABLE IF NOT EXISTS {s}.issues (
    meeting_id text, issue_id text, station_id text NOT NULL, title text NOT NULL, detail text,
    topic text, proposer_role text NOT NULL, proposer_name_sealed text, proposed_on date NOT NULL,
    PRIMARY KEY (meeting_id, issue_id)
);
CREATE TABLE IF NOT EXISTS {s}.motions (
    meeting_id text, motion_id text, station_id text NOT NULL, text text NOT NULL, issue_id text,
    voted_on date NOT NULL, votes_for integer NOT NULL, votes_against integer NOT NULL,
    abstentions integer NOT NULL, members_total integer NOT NULL, members_present integer NOT NULL,
    quorum_rule jsonb NOT NULL, rule_source text NOT NULL, required_present integer NOT NULL,
    quorum_met boolean NOT NULL, required_for integer NOT NULL, passed boolean NOT NULL,
    PRIMARY KEY (meeting_id, motion_id)
);
CREATE TABLE IF NOT EXISTS {s}.resolutions (
    meeting_id text, resolution_id text, station_id text NOT NULL, motion_id text NOT NULL,
    text text NOT NULL, adopted_on date NOT NULL, PRIMARY KEY (meeting_id, resolution_id)
);
CREATE TABLE IF NOT EXISTS {s}.action_items (
    meeting_id text, action_id text, station_id text NOT NULL, title text NOT NULL,
    resolution_id text, issue_id text, owner_role text NOT NULL, owner_unit text,
    owner_name_sealed text, assigned_on date NOT NULL, due_on date NOT NULL, done_on date,
    late boolean, note text, PRIMARY KEY (meeting_id, action_id)
);
CREATE INDEX IF NOT EXISTS action_items_open ON {s}.action_items (station_id, due_on) WHERE done_on IS NULL;
CREATE TABLE IF NOT EXISTS {s}.volunteers (
    volunteer_id text PRIMARY KEY, station_id text NOT NULL, category text NOT NULL, affiliation text,
    skills jsonb NOT NULL DEFAULT '[]', name_sealed text NOT NULL, phone_sealed text,
    enrolled_on date NOT NULL, trainings integer NOT NULL DEFAULT 0,
    training_minutes integer NOT NULL DEFAULT 0, sessions integer NOT NULL DEFAULT 0,
    minutes integer NOT NULL DEFAULT 0, auto_closed_sessions integer NOT NULL DEFAULT 0,
    auto_closed_minutes integer NOT NULL DEFAULT 0, certified_minutes integer NOT NULL DEFAULT 0,
    certificates integer NOT NULL DEFAULT 0, open_session_id text, open_since timestamptz
);
CREATE INDEX IF NOT EXISTS volunteers_by_station ON {s}.volunteers (station_id);
CREATE TABLE IF NOT EXISTS {s}.trainings (
    volunteer_id text, training_id text, station_id text NOT NULL, title text NOT NULL,
    attended_on date NOT NULL, minutes integer, meeting_id text, PRIMARY KEY (volunteer_id, training_id)
);
CREATE TABLE IF NOT EXISTS {s}.sessions (
    volunteer_id text, session_id text, station_id text NOT NULL, activity text NOT NULL,
    meeting_id text, checked_in_at timestamptz NOT NULL, checked_out_at timestamptz,
    minutes integer, auto_closed boolean, limit_hours double precision, certificate_number text,
    PRIMARY KEY (volunteer_id, session_id)
);
CREATE INDEX IF NOT EXISTS sessions_open ON {s}.sessions (checked_in_at) WHERE checked_out_at IS NULL;
CREATE TABLE IF NOT EXISTS {s}.certificates (
    certificate_number text PRIMARY KEY, volunteer_id text NOT NULL, station_id text NOT NULL,
    affiliation text, session_ids jsonb NOT NULL, sessions integer NOT NULL, minutes integer NOT NULL,
    hours double precision NOT NULL, auto_closed_sessions integer NOT NULL, period_from date NOT NULL,
    period_to date NOT NULL, issued_on date NOT NULL
);
"""


class OutOfOrder(Exception):
    """An aggregate's event came before its predecessor: retried until the predecessor lands."""


class EngagementViews(Projection):
    name = "engagement_views"
    domains = ("engagement",)
    ddl = DDL

    async def apply(self, conn: asyncpg.Connection, s: str, event: Envelope) -> None:
        handler = HANDLERS.get(event.event_type)
        if handler is None:
            return
        seen = (
            await conn.fetchval(
                f"SELECT version FROM {s}.positions WHERE stream_id = $1 FOR UPDATE",
                event.stream_id,
            )
            or 0
        )
        if event.aggregate_version <= seen:
            return
        if event.aggregate_version != seen + 1:
            raise OutOfOrder(f"{event.stream_id} v{event.aggregate_version} before v{seen + 1}")
        fact: DomainEvent = CATALOG.decode(event)
        await handler(conn, s, event, fact.model_dump())
        await conn.execute(
            f"INSERT INTO {s}.positions VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET version = $2",
            event.stream_id,
            event.aggregate_version,
        )

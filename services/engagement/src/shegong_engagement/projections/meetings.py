"""Meetings and their deliberation in the read model: one row per meeting, issue, motion,
resolution and action item. Proposers' and owners' names stay sealed here too, and go when
they are erased."""

from __future__ import annotations

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.engagement import (
    ActionItemAssigned,
    ActionItemDone,
    IssueProposed,
    MeetingCancelled,
    MeetingHeld,
    MeetingNameErased,
    MeetingScheduled,
    MotionVoted,
    ResolutionAdopted,
)
from shegong_runtime.read_models import Handler

from shegong_engagement.projections.rows import ids, insert, update

DDL = """
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
CREATE INDEX IF NOT EXISTS meetings_listed ON {s}.meetings ((coalesce(held_on, scheduled_on, DATE '1900-01-01')), meeting_id);
CREATE INDEX IF NOT EXISTS meetings_listed_at_station ON {s}.meetings (station_id, (coalesce(held_on, scheduled_on, DATE '1900-01-01')), meeting_id);
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
CREATE INDEX IF NOT EXISTS action_items_listed ON {s}.action_items (due_on, meeting_id, action_id);
CREATE INDEX IF NOT EXISTS action_items_open_listed ON {s}.action_items (due_on, meeting_id, action_id) WHERE done_on IS NULL;
CREATE INDEX IF NOT EXISTS action_items_open_at_station ON {s}.action_items (station_id, due_on, meeting_id, action_id) WHERE done_on IS NULL;
CREATE INDEX IF NOT EXISTS action_items_at_station ON {s}.action_items (station_id, due_on, meeting_id, action_id);
"""
TABLES = ("meetings", "issues", "motions", "resolutions", "action_items")


async def scheduled(conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingScheduled) -> None:
    await insert(conn, f"{s}.meetings", {**ids(env), "status": "scheduled", **e.model_dump()})


async def held(conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingHeld) -> None:
    row = {"status": "held", **e.model_dump()}
    await update(conn, f"{s}.meetings", {"meeting_id": env.aggregate_id}, row)


async def cancelled(conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingCancelled) -> None:
    row = {"status": "cancelled", "cancelled_on": e.cancelled_on, "cancel_reason": e.reason}
    await update(conn, f"{s}.meetings", {"meeting_id": env.aggregate_id}, row)


async def issue_proposed(conn: asyncpg.Connection, s: str, env: Envelope, e: IssueProposed) -> None:
    await insert(conn, f"{s}.issues", {**ids(env), **e.model_dump()})


async def name_erased(
    conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingNameErased
) -> None:
    """The key is gone; the sealed name goes from the read model too."""
    if e.issue_id:
        key = {"meeting_id": env.aggregate_id, "issue_id": e.issue_id}
        await update(conn, f"{s}.issues", key, {"proposer_name_sealed": None})
    if e.action_id:
        key = {"meeting_id": env.aggregate_id, "action_id": e.action_id}
        await update(conn, f"{s}.action_items", key, {"owner_name_sealed": None})


async def motion_voted(conn: asyncpg.Connection, s: str, env: Envelope, e: MotionVoted) -> None:
    await insert(conn, f"{s}.motions", {**ids(env), **e.model_dump()})


async def resolution_adopted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ResolutionAdopted
) -> None:
    await insert(conn, f"{s}.resolutions", {**ids(env), **e.model_dump()})


async def action_assigned(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ActionItemAssigned
) -> None:
    await insert(conn, f"{s}.action_items", {**ids(env), **e.model_dump()})


async def action_done(conn: asyncpg.Connection, s: str, env: Envelope, e: ActionItemDone) -> None:
    key = {"meeting_id": env.aggregate_id, "action_id": e.action_id}
    row = {"done_on": e.done_on, "late": e.late, "note": e.note}
    await update(conn, f"{s}.action_items", key, row)


HANDLERS: dict[type[DomainEvent], Handler] = {
    MeetingScheduled: scheduled,
    MeetingHeld: held,
    MeetingCancelled: cancelled,
    IssueProposed: issue_proposed,
    MeetingNameErased: name_erased,
    MotionVoted: motion_voted,
    ResolutionAdopted: resolution_adopted,
    ActionItemAssigned: action_assigned,
    ActionItemDone: action_done,
}

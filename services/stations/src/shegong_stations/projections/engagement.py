"""Engagement facts on the board: meetings and their deliberation, action items, volunteers."""

from __future__ import annotations

import json

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.calendar import local_date
from shegong_events.engagement import (
    ActionItemAssigned,
    ActionItemDone,
    CertificateIssued,
    IssueProposed,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MotionVoted,
    ResolutionAdopted,
    ServiceSessionCheckedIn,
    ServiceSessionCheckedOut,
    TrainingAttended,
    VolunteerEnrolled,
)
from shegong_runtime.read_models import Handler

DDL = """
CREATE TABLE IF NOT EXISTS {s}.meetings (
    meeting_id       text PRIMARY KEY,
    station_id       text NOT NULL,
    kind             text NOT NULL,
    status           text NOT NULL,        -- scheduled | held | cancelled
    title            text NOT NULL,
    theme            text,
    on_date          date NOT NULL,        -- held_on once held, else scheduled_on
    format           text,
    participants     integer,
    participant_groups jsonb NOT NULL DEFAULT '[]',
    co_organisers    jsonb NOT NULL DEFAULT '[]',
    topics           jsonb NOT NULL DEFAULT '[]',
    outcomes         jsonb NOT NULL DEFAULT '[]',
    model_station_id text,
    has_summary      boolean NOT NULL DEFAULT false,
    issues           integer NOT NULL DEFAULT 0,
    motions          integer NOT NULL DEFAULT 0,
    resolutions      integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS meetings_station ON {s}.meetings (station_id, on_date);
CREATE TABLE IF NOT EXISTS {s}.action_items (
    meeting_id   text NOT NULL,
    action_id    text NOT NULL,
    station_id   text NOT NULL,
    title        text NOT NULL,
    assigned_on  date,
    due_on       date NOT NULL,
    done_on      date,
    late         boolean,
    PRIMARY KEY (meeting_id, action_id)
);
CREATE INDEX IF NOT EXISTS action_items_station ON {s}.action_items (station_id);
CREATE TABLE IF NOT EXISTS {s}.volunteers (
    volunteer_id  text PRIMARY KEY,
    station_id    text NOT NULL,
    category      text NOT NULL,
    affiliation   text,
    enrolled_on   date NOT NULL,
    certificates  integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS volunteers_station ON {s}.volunteers (station_id);
CREATE TABLE IF NOT EXISTS {s}.volunteer_sessions (
    volunteer_id  text NOT NULL,
    session_id    text NOT NULL,
    station_id    text NOT NULL,
    activity      text,
    started_on    date NOT NULL,
    minutes       integer,               -- null while checked in
    auto_closed   boolean,
    PRIMARY KEY (volunteer_id, session_id)
);
CREATE INDEX IF NOT EXISTS volunteer_sessions_station ON {s}.volunteer_sessions (station_id, started_on);
-- service minutes per station and day, kept as sessions close: the board and the roundup sum
-- days, never every session of the years; a generation made before it is filled once from
-- its sessions, in the migration that creates it
DO $$ BEGIN
    IF to_regclass('{s}.volunteer_days') IS NULL THEN
        CREATE TABLE {s}.volunteer_days (
            station_id   text NOT NULL,
            day          date NOT NULL,
            minutes      integer NOT NULL DEFAULT 0,
            closed       integer NOT NULL DEFAULT 0,  -- sessions closed (checked out or at the limit)
            checked_out  integer NOT NULL DEFAULT 0,  -- of which checked out by the volunteer
            PRIMARY KEY (station_id, day)
        );
        INSERT INTO {s}.volunteer_days
        SELECT station_id, started_on, coalesce(sum(minutes), 0),
               count(*) FILTER (WHERE minutes IS NOT NULL),
               count(*) FILTER (WHERE minutes IS NOT NULL AND NOT auto_closed)
        FROM {s}.volunteer_sessions GROUP BY 1, 2;
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS {s}.trainings (
    volunteer_id  text NOT NULL,
    training_id   text NOT NULL,
    station_id    text NOT NULL,
    title         text NOT NULL,
    attended_on   date NOT NULL,
    minutes       integer,
    meeting_id    text,
    PRIMARY KEY (volunteer_id, training_id)
);
"""


def _json(items: list) -> str:
    return json.dumps(
        [i.model_dump(mode="json", exclude_none=True) for i in items], ensure_ascii=False
    )


async def meeting_scheduled(
    conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingScheduled
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.meetings (meeting_id, station_id, kind, status, title, theme, on_date,
                co_organisers, topics, model_station_id)
            VALUES ($1, $2, $3, 'scheduled', $4, $5, $6, $7, $8, $9)
            ON CONFLICT (meeting_id) DO UPDATE SET kind = $3, title = $4, theme = $5, on_date = $6,
                co_organisers = $7, topics = $8, model_station_id = $9
            WHERE {s}.meetings.status = 'scheduled'""",
        env.aggregate_id,
        env.station_id,
        e.kind,
        e.title,
        e.theme,
        e.scheduled_on,
        _json(e.co_organisers),
        _json(e.planned_topics),
        e.model_station_id,
    )


async def meeting_held(conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingHeld) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.meetings (meeting_id, station_id, kind, status, title, theme, on_date, format,
                participants, participant_groups, co_organisers, topics, outcomes, model_station_id, has_summary)
            VALUES ($1, $2, $3, 'held', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (meeting_id) DO UPDATE SET kind = $3, status = 'held', title = $4, theme = $5,
                on_date = $6, format = $7, participants = $8, participant_groups = $9, co_organisers = $10,
                topics = $11, outcomes = $12, model_station_id = $13, has_summary = $14""",
        env.aggregate_id,
        env.station_id,
        e.kind,
        e.title,
        e.theme,
        e.held_on,
        e.format,
        e.participants_total,
        _json(e.participant_groups),
        _json(e.co_organisers),
        _json(e.topics),
        _json(e.outcomes),
        e.model_station_id,
        bool(e.summary),
    )


async def meeting_cancelled(
    conn: asyncpg.Connection, s: str, env: Envelope, e: MeetingCancelled
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.meetings (meeting_id, station_id, kind, status, title, on_date)
            VALUES ($1, $2, $3, 'cancelled', $4, $5)
            ON CONFLICT (meeting_id) DO UPDATE SET status = 'cancelled'""",
        env.aggregate_id,
        env.station_id,
        e.kind,
        e.title,
        e.scheduled_on,
    )


async def _count(conn: asyncpg.Connection, s: str, env: Envelope, column: str) -> None:
    """Deliberation arrives on the meeting's own stream, after the meeting was scheduled."""
    await conn.execute(
        f"UPDATE {s}.meetings SET {column} = {column} + 1 WHERE meeting_id = $1", env.aggregate_id
    )


async def issue_proposed(conn: asyncpg.Connection, s: str, env: Envelope, e: IssueProposed) -> None:
    await _count(conn, s, env, "issues")


async def motion_voted(conn: asyncpg.Connection, s: str, env: Envelope, e: MotionVoted) -> None:
    await _count(conn, s, env, "motions")


async def resolution_adopted(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ResolutionAdopted
) -> None:
    await _count(conn, s, env, "resolutions")


async def action_assigned(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ActionItemAssigned
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.action_items (meeting_id, action_id, station_id, title, assigned_on, due_on)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (meeting_id, action_id) DO UPDATE SET title = $4, assigned_on = $5, due_on = $6""",
        env.aggregate_id,
        e.action_id,
        env.station_id,
        e.title,
        e.assigned_on,
        e.due_on,
    )


async def action_done(conn: asyncpg.Connection, s: str, env: Envelope, e: ActionItemDone) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.action_items (meeting_id, action_id, station_id, title, due_on, done_on, late)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (meeting_id, action_id) DO UPDATE SET done_on = $6, late = $7""",
        env.aggregate_id,
        e.action_id,
        env.station_id,
        e.title,
        e.due_on,
        e.done_on,
        e.late,
    )


async def volunteer_enrolled(
    conn: asyncpg.Connection, s: str, env: Envelope, e: VolunteerEnrolled
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.volunteers (volunteer_id, station_id, category, affiliation, enrolled_on)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (volunteer_id) DO NOTHING""",
        env.aggregate_id,
        env.station_id,
        e.category,
        e.affiliation,
        e.enrolled_on,
    )


async def training_attended(
    conn: asyncpg.Connection, s: str, env: Envelope, e: TrainingAttended
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.trainings VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (volunteer_id, training_id) DO NOTHING""",
        env.aggregate_id,
        e.training_id,
        env.station_id,
        e.title,
        e.attended_on,
        e.minutes,
        e.meeting_id,
    )


async def session_in(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ServiceSessionCheckedIn
) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.volunteer_sessions (volunteer_id, session_id, station_id, activity, started_on)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (volunteer_id, session_id) DO NOTHING""",
        env.aggregate_id,
        e.session_id,
        env.station_id,
        e.activity,
        local_date(e.checked_in_at),
    )


async def session_out(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ServiceSessionCheckedOut
) -> None:
    before = await conn.fetchrow(
        f"SELECT minutes, auto_closed FROM {s}.volunteer_sessions "
        "WHERE volunteer_id = $1 AND session_id = $2",
        env.aggregate_id,
        e.session_id,
    )
    was_closed = before is not None and before["minutes"] is not None
    await conn.execute(
        f"""INSERT INTO {s}.volunteer_days AS d (station_id, day, minutes, closed, checked_out)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (station_id, day) DO UPDATE SET
            minutes = d.minutes + $3, closed = d.closed + $4, checked_out = d.checked_out + $5""",
        env.station_id,
        local_date(e.checked_in_at),
        e.minutes - (before["minutes"] if was_closed else 0),
        0 if was_closed else 1,
        (0 if e.auto_closed else 1) - (1 if was_closed and not before["auto_closed"] else 0),
    )
    await conn.execute(
        f"""INSERT INTO {s}.volunteer_sessions (volunteer_id, session_id, station_id, started_on, minutes, auto_closed)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (volunteer_id, session_id) DO UPDATE SET minutes = $5, auto_closed = $6""",
        env.aggregate_id,
        e.session_id,
        env.station_id,
        local_date(e.checked_in_at),
        e.minutes,
        e.auto_closed,
    )


async def certificate_issued(
    conn: asyncpg.Connection, s: str, env: Envelope, e: CertificateIssued
) -> None:
    await conn.execute(
        f"UPDATE {s}.volunteers SET certificates = certificates + 1 WHERE volunteer_id = $1",
        env.aggregate_id,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    MeetingScheduled: meeting_scheduled,
    MeetingHeld: meeting_held,
    MeetingCancelled: meeting_cancelled,
    IssueProposed: issue_proposed,
    MotionVoted: motion_voted,
    ResolutionAdopted: resolution_adopted,
    ActionItemAssigned: action_assigned,
    ActionItemDone: action_done,
    VolunteerEnrolled: volunteer_enrolled,
    TrainingAttended: training_attended,
    ServiceSessionCheckedIn: session_in,
    ServiceSessionCheckedOut: session_out,
    CertificateIssued: certificate_issued,
}
TABLES = (
    "meetings",
    "action_items",
    "volunteers",
    "volunteer_sessions",
    "volunteer_days",
    "trainings",
)

"""Volunteers in the read model: their trainings, service sessions and certificates, with
running totals on the volunteer's row. Names and phones stay sealed here, and go on erasure
(a read model must not outlive it)."""

from __future__ import annotations

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.engagement import (
    CertificateIssued,
    ServiceSessionCheckedIn,
    ServiceSessionCheckedOut,
    TrainingAttended,
    VolunteerEnrolled,
    VolunteerErased,
)
from shegong_runtime.read_models import Handler

from shegong_engagement.projections.rows import ids, insert, update

DDL = """
CREATE TABLE IF NOT EXISTS {s}.volunteers (
    volunteer_id text PRIMARY KEY, station_id text NOT NULL, category text NOT NULL, affiliation text,
    skills jsonb NOT NULL DEFAULT '[]', name_sealed text NOT NULL, phone_sealed text,
    enrolled_on date NOT NULL, trainings integer NOT NULL DEFAULT 0,
    training_minutes integer NOT NULL DEFAULT 0, sessions integer NOT NULL DEFAULT 0,
    minutes integer NOT NULL DEFAULT 0, auto_closed_sessions integer NOT NULL DEFAULT 0,
    auto_closed_minutes integer NOT NULL DEFAULT 0, certified_minutes integer NOT NULL DEFAULT 0,
    certificates integer NOT NULL DEFAULT 0, open_session_id text, open_since timestamptz
);
CREATE INDEX IF NOT EXISTS volunteers_by_station ON {s}.volunteers (station_id, volunteer_id);
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
TABLES = ("volunteers", "trainings", "sessions", "certificates")


async def enrolled(conn: asyncpg.Connection, s: str, env: Envelope, e: VolunteerEnrolled) -> None:
    await insert(conn, f"{s}.volunteers", {**ids(env), **e.model_dump()})


async def erased(conn: asyncpg.Connection, s: str, env: Envelope, e: VolunteerErased) -> None:
    row = {"name_sealed": "", "phone_sealed": None}
    await update(conn, f"{s}.volunteers", {"volunteer_id": env.aggregate_id}, row)


async def trained(conn: asyncpg.Connection, s: str, env: Envelope, e: TrainingAttended) -> None:
    await insert(conn, f"{s}.trainings", {**ids(env), **e.model_dump()})
    await conn.execute(
        f"UPDATE {s}.volunteers SET trainings = trainings + 1, "
        "training_minutes = training_minutes + coalesce($2::integer, 0) WHERE volunteer_id = $1",
        env.aggregate_id,
        e.minutes,
    )


async def checked_in(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ServiceSessionCheckedIn
) -> None:
    await insert(conn, f"{s}.sessions", {**ids(env), **e.model_dump()})
    row = {"open_session_id": e.session_id, "open_since": e.checked_in_at}
    await update(conn, f"{s}.volunteers", {"volunteer_id": env.aggregate_id}, row)


async def checked_out(
    conn: asyncpg.Connection, s: str, env: Envelope, e: ServiceSessionCheckedOut
) -> None:
    key = {"volunteer_id": env.aggregate_id, "session_id": e.session_id}
    row = {
        "checked_out_at": e.checked_out_at,
        "minutes": e.minutes,
        "auto_closed": e.auto_closed,
        "limit_hours": e.limit_hours,
    }
    await update(conn, f"{s}.sessions", key, row)
    await conn.execute(
        f"UPDATE {s}.volunteers SET sessions = sessions + 1, minutes = minutes + $2, "
        "auto_closed_sessions = auto_closed_sessions + $3, auto_closed_minutes = auto_closed_minutes + $2 * $3, "
        "open_session_id = NULL, open_since = NULL WHERE volunteer_id = $1",
        env.aggregate_id,
        e.minutes,
        1 if e.auto_closed else 0,
    )


async def certified(conn: asyncpg.Connection, s: str, env: Envelope, e: CertificateIssued) -> None:
    await insert(conn, f"{s}.certificates", {**ids(env), **e.model_dump()})
    await conn.execute(
        f"UPDATE {s}.sessions SET certificate_number = $2 WHERE volunteer_id = $1 AND session_id = ANY($3::text[])",
        env.aggregate_id,
        e.certificate_number,
        e.session_ids,
    )
    await conn.execute(
        f"UPDATE {s}.volunteers SET certified_minutes = certified_minutes + $2, certificates = certificates + 1 "
        "WHERE volunteer_id = $1",
        env.aggregate_id,
        e.minutes,
    )


HANDLERS: dict[type[DomainEvent], Handler] = {
    VolunteerEnrolled: enrolled,
    VolunteerErased: erased,
    TrainingAttended: trained,
    ServiceSessionCheckedIn: checked_in,
    ServiceSessionCheckedOut: checked_out,
    CertificateIssued: certified,
}

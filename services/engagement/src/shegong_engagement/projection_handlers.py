"""How each engagement event changes the read model rows (see projections.py for the tables)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from shegong_events import Envelope


def _value(v: Any) -> Any:
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, list | dict) else v


async def insert(conn: asyncpg.Connection, table: str, row: dict[str, Any]) -> None:
    marks = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", *map(_value, row.values())
    )


async def update(
    conn: asyncpg.Connection, table: str, key: dict[str, Any], row: dict[str, Any]
) -> None:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(row, 1))
    where = " AND ".join(f"{c} = ${i}" for i, c in enumerate(key, len(row) + 1))
    await conn.execute(
        f"UPDATE {table} SET {sets} WHERE {where}", *map(_value, [*row.values(), *key.values()])
    )


Handler = Callable[[asyncpg.Connection, str, Envelope, dict[str, Any]], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def on(event_type: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[event_type] = fn
        return fn

    return register


def _ids(env: Envelope) -> dict[str, str]:
    return {f"{env.aggregate_type}_id": env.aggregate_id, "station_id": env.station_id}


# --- meetings ----------------------------------------------------------------------------------


@on("MeetingScheduled")
async def _scheduled(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.meetings", {**_ids(env), "status": "scheduled", **d})


@on("MeetingHeld")
async def _held(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await update(conn, f"{s}.meetings", {"meeting_id": env.aggregate_id}, {"status": "held", **d})


@on("MeetingCancelled")
async def _cancelled(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    row = {"status": "cancelled", "cancelled_on": d["cancelled_on"], "cancel_reason": d["reason"]}
    await update(conn, f"{s}.meetings", {"meeting_id": env.aggregate_id}, row)


@on("IssueProposed")
async def _issue(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.issues", {**_ids(env), **d})


@on("MeetingNameErased")
async def _name_erased(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    """The key is gone; the sealed name goes from the read model too."""
    if d.get("issue_id"):
        key = {"meeting_id": env.aggregate_id, "issue_id": d["issue_id"]}
        await update(conn, f"{s}.issues", key, {"proposer_name_sealed": None})
    if d.get("action_id"):
        key = {"meeting_id": env.aggregate_id, "action_id": d["action_id"]}
        await update(conn, f"{s}.action_items", key, {"owner_name_sealed": None})


@on("MotionVoted")
async def _motion(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.motions", {**_ids(env), **d})


@on("ResolutionAdopted")
async def _resolution(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.resolutions", {**_ids(env), **d})


@on("ActionItemAssigned")
async def _assigned(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.action_items", {**_ids(env), **d})


@on("ActionItemDone")
async def _done(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    key = {"meeting_id": env.aggregate_id, "action_id": d["action_id"]}
    await update(
        conn,
        f"{s}.action_items",
        key,
        {"done_on": d["done_on"], "late": d["late"], "note": d["note"]},
    )


# --- volunteers --------------------------------------------------------------------------------


@on("VolunteerEnrolled")
async def _enrolled(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.volunteers", {**_ids(env), **d})


@on("VolunteerErased")
async def _erased(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    """The key is gone; the sealed copies go too (a read model must not outlive erasure)."""
    row = {"name_sealed": "", "phone_sealed": None}
    await update(conn, f"{s}.volunteers", {"volunteer_id": env.aggregate_id}, row)


@on("TrainingAttended")
async def _trained(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.trainings", {**_ids(env), **d})
    await conn.execute(
        f"UPDATE {s}.volunteers SET trainings = trainings + 1, "
        "training_minutes = training_minutes + coalesce($2::integer, 0) WHERE volunteer_id = $1",
        env.aggregate_id,
        d["minutes"],
    )


@on("ServiceSessionCheckedIn")
async def _checked_in(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.sessions", {**_ids(env), **d})
    row = {"open_session_id": d["session_id"], "open_since": d["checked_in_at"]}
    await update(conn, f"{s}.volunteers", {"volunteer_id": env.aggregate_id}, row)


@on("ServiceSessionCheckedOut")
async def _checked_out(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    key = {"volunteer_id": env.aggregate_id, "session_id": d["session_id"]}
    row = {k: d[k] for k in ("checked_out_at", "minutes", "auto_closed", "limit_hours")}
    await update(conn, f"{s}.sessions", key, row)
    auto = 1 if d["auto_closed"] else 0
    await conn.execute(
        f"UPDATE {s}.volunteers SET sessions = sessions + 1, minutes = minutes + $2, "
        "auto_closed_sessions = auto_closed_sessions + $3, auto_closed_minutes = auto_closed_minutes + $2 * $3, "
        "open_session_id = NULL, open_since = NULL WHERE volunteer_id = $1",
        env.aggregate_id,
        d["minutes"],
        auto,
    )


@on("CertificateIssued")
async def _certified(conn: asyncpg.Connection, s: str, env: Envelope, d: dict[str, Any]) -> None:
    await insert(conn, f"{s}.certificates", {**_ids(env), **d})
    await conn.execute(
        f"UPDATE {s}.sessions SET certificate_number = $2 WHERE volunteer_id = $1 AND session_id = ANY($3::text[])",
        env.aggregate_id,
        d["certificate_number"],
        d["session_ids"],
    )
    await conn.execute(
        f"UPDATE {s}.volunteers SET certified_minutes = certified_minutes + $2, certificates = certificates + 1 "
        "WHERE volunteer_id = $1",
        env.aggregate_id,
        d["minutes"],
    )

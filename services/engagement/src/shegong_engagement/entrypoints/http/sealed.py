"""Personal data: sealed per subject on the way in, opened only for authorised reads.

Subjects: a volunteer (`volunteer:<id>`), an issue's proposer and an action item's owner
(`meeting:<id>:issue:<id>`, `meeting:<id>:action:<id>`), so each can be erased alone.
Answers never carry the sealed blobs; callers without the right simply get no names.
"""

from __future__ import annotations

from typing import Any

from shegong_runtime.service import Runtime


def volunteer_subject(volunteer_id: str) -> str:
    return f"volunteer:{volunteer_id}"


def issue_subject(meeting_id: str, issue_id: str) -> str:
    return f"meeting:{meeting_id}:issue:{issue_id}"


def action_subject(meeting_id: str, action_id: str) -> str:
    return f"meeting:{meeting_id}:action:{action_id}"


async def _open(
    rt: Runtime, row: dict[str, Any], subject: str, fields: dict[str, str], allowed: bool
) -> dict[str, Any]:
    for sealed, plain in fields.items():
        value = row.pop(sealed, None)
        if allowed and value is not None:
            row[plain] = await rt.sealing.open_or_redacted(subject, value)
    return row


async def open_issue_proposer(rt: Runtime, row: dict[str, Any], allowed: bool) -> dict[str, Any]:
    subject = issue_subject(row["meeting_id"], row["issue_id"])
    return await _open(rt, row, subject, {"proposer_name_sealed": "proposer_name"}, allowed)


async def open_action_owner(rt: Runtime, row: dict[str, Any], allowed: bool) -> dict[str, Any]:
    subject = action_subject(row["meeting_id"], row["action_id"])
    return await _open(rt, row, subject, {"owner_name_sealed": "owner_name"}, allowed)


async def open_meeting_names(rt: Runtime, row: dict[str, Any], allowed: bool) -> dict[str, Any]:
    subjects = [issue_subject(i["meeting_id"], i["issue_id"]) for i in row["issues"]]
    subjects += [action_subject(a["meeting_id"], a["action_id"]) for a in row["action_items"]]
    async with rt.sealing.holding(subjects if allowed else ()):
        for issue in row["issues"]:
            await open_issue_proposer(rt, issue, allowed)
        for item in row["action_items"]:
            await open_action_owner(rt, item, allowed)
    return row


async def open_action_owners(
    rt: Runtime, rows: list[dict[str, Any]], allowed: bool
) -> list[dict[str, Any]]:
    """A page of action items, their owners' keys read together."""
    subjects = [action_subject(r["meeting_id"], r["action_id"]) for r in rows] if allowed else []
    async with rt.sealing.holding(subjects):
        return [await open_action_owner(rt, r, allowed) for r in rows]


async def open_volunteer(rt: Runtime, row: dict[str, Any], allowed: bool) -> dict[str, Any]:
    fields = {"name_sealed": "name", "phone_sealed": "phone"}
    return await _open(rt, row, volunteer_subject(row["volunteer_id"]), fields, allowed)

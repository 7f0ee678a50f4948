"""The engagement service's erasure events and the data subjects whose keys each destroys: a
restored store given such an event back by its stream destroys them again."""

from __future__ import annotations

from shegong_events import Envelope

from shegong_engagement.entrypoints.http.sealed import (
    action_subject,
    issue_subject,
    volunteer_subject,
)


def _meeting_name(e: Envelope) -> list[str]:
    if issue := e.data.get("issue_id"):
        return [issue_subject(e.aggregate_id, issue)]
    if action := e.data.get("action_id"):
        return [action_subject(e.aggregate_id, action)]
    return []


ERASURES = {
    "VolunteerErased": lambda e: [volunteer_subject(e.aggregate_id)],
    "MeetingNameErased": _meeting_name,
}

"""What a command answers: the aggregate's id, its new version, the events, and a few facts
picked from the last event (a motion's `passed`, a session's `minutes`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shegong_events import Envelope
from shegong_runtime.commands import Answer

Pick = Callable[[list[Envelope]], Any]


def answered(status: int, id_field: str, **extra: Pick) -> Callable[[list[Envelope], object], Answer]:
    """`respond` for `commands.handle`: the body every engagement command answers with."""

    def answer(events: list[Envelope], _state: object) -> Answer:
        body: dict[str, Any] = {
            id_field: events[0].aggregate_id if events else None,
            "version": events[-1].aggregate_version if events else None,
            "events": [e.event_type for e in events],
        }
        body.update({k: pick(events) for k, pick in extra.items()})
        return Answer(status, body)

    return answer


def last_data(key: str) -> Pick:
    return lambda events: events[-1].data.get(key) if events else None

"""Pure domain code, one module per aggregate: `meeting` (with its deliberation and action
items on the same stream) and `volunteer` (with its certificates). Each has a `Decider`:
`decide(command, state)` refuses with an error named for the rule or chooses the events,
`evolve` folds them back. Commands are frozen dataclasses of plain facts: what the caller asked
and what the route knows besides (ids, sealed names, today, the settings that apply); the
request bodies they are built from are the HTTP layer's (`entrypoints/http/bodies.py`)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def facts(command: Any, *leave_out: str) -> dict[str, Any]:
    """A command's fields as an event's facts, `leave_out` left out (its address, what only the
    rule reads), tuples as the lists the events hold."""
    return {
        f.name: list(value) if isinstance(value := getattr(command, f.name), tuple) else value
        for f in fields(command)
        if f.name not in leave_out
    }

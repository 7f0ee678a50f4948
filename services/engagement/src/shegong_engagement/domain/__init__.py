"""Pure domain code, one module per aggregate: `meeting` (with its deliberation and action
items on the same stream) and `volunteer` (with its certificates). Each has a `Decider`:
`decide(command, state)` refuses with an error named for the rule or chooses the events,
`evolve` folds them back. Request bodies are closed, frozen models (`CommandBody`); the commands the
deciders take are frozen dataclasses carrying a request plus what the route knows (ids,
sealed names, today, the settings that apply)."""

from __future__ import annotations

from pydantic import ConfigDict
from shegong_runtime.inputs import RequestModel


class CommandBody(RequestModel):
    """What a caller sends: closed, so a misspelt field is refused and named (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

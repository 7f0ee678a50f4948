"""A decider: what an aggregate decides and how its events fold, with no database in sight.

`decide(command, state) -> events` holds every rule of the aggregate and names the events;
`evolve(state, event) -> state` folds them back. Both are pure, so a rule is tested
as given/when/then (`shegong_testing.decider`) and run by the one command path,
`shegong_runtime.commands.send`: load, decide, append at the version loaded, answer once.

Neither sees an envelope: whatever a rule needs is in the command or in an event (the station
an aggregate belongs to is named by its first event, `shegong_events.OpensAtStation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from shegong_events import CATALOG, DomainEvent, Envelope

C = TypeVar("C")
S = TypeVar("S")


class Aggregate(Generic[S]):
    """How one aggregate type folds its events into state (pure, no database)."""

    aggregate_type: str = "aggregate"

    def initial(self) -> S:
        raise NotImplementedError

    def evolve(self, state: S, event: DomainEvent) -> S:
        raise NotImplementedError

    def fold(self, history: Sequence[Envelope]) -> S:
        state = self.initial()
        for envelope in history:
            state = self.evolve(state, CATALOG.decode(envelope))
        return state


class Decider(Aggregate[S], Generic[C, S]):
    """An aggregate that also decides: the domain, not the HTTP layer, chooses the events."""

    def decide(self, command: C, state: S) -> Sequence[DomainEvent]:
        raise NotImplementedError

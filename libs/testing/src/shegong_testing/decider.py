"""Given/when/then for deciders: a rule reads as the history it needs and the answer it gives.

    given = scenario(ORGANISATION)
    given(filed, returned).when(Approve(...)).raises(FilingNotPending)
    given(filed).when(Approve(...)).then(OrgFilingApproved(...))

`then` also folds the decided events onto the state, as the command path does (wrapped,
stored, decoded back), so a decision the aggregate cannot evolve fails here rather than at the
next load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import pytest
from shegong_events import CATALOG, DomainEvent, Envelope
from shegong_runtime.decider import Decider

S = TypeVar("S")
E = TypeVar("E", bound=Exception)
AT = datetime(2024, 4, 15, 4, 0, tzinfo=UTC)  # the demo week's Monday, noon at the stations


def envelopes(
    events: Sequence[DomainEvent],
    *,
    aggregate_id: str,
    station_id: str,
    occurred_at: datetime = AT,
    start: int = 0,
) -> list[Envelope]:
    out = []
    for i, event in enumerate(events, start=start + 1):
        env = Envelope.wrap(
            event,
            aggregate_id=aggregate_id,
            station_id=station_id,
            actor="test",
            occurred_at=occurred_at,
        )
        out.append(env.model_copy(update={"aggregate_version": i}))
    return out


@dataclass
class When(Generic[S]):
    decider: Decider[Any, S]
    state: S
    version: int
    command: Any
    aggregate_id: str
    station_id: str

    def decided(self) -> list[DomainEvent]:
        return list(self.decider.decide(self.command, self.state))

    def then(self, *expected: DomainEvent) -> S:
        """The events decided equal `expected`; returns the state they fold into."""
        events = self.decided()
        assert events == list(expected)
        state = self.state
        for env in envelopes(
            events, aggregate_id=self.aggregate_id, station_id=self.station_id, start=self.version
        ):
            state = self.decider.evolve(state, CATALOG.decode(env))
        return state

    def raises(self, rule: type[E]) -> E:
        with pytest.raises(rule) as caught:
            self.decided()
        return caught.value


@dataclass
class Given(Generic[S]):
    decider: Decider[Any, S]
    history: list[DomainEvent]
    aggregate_id: str
    station_id: str

    @property
    def state(self) -> S:
        return self.decider.fold(
            envelopes(self.history, aggregate_id=self.aggregate_id, station_id=self.station_id)
        )

    def when(self, command: Any) -> When[S]:
        return When(
            self.decider, self.state, len(self.history), command, self.aggregate_id, self.station_id
        )


def scenario(
    decider: Decider[Any, S], *, aggregate_id: str = "agg-1", station_id: str = "station-1"
) -> Callable[..., Given[S]]:
    """`given(*events)` for one decider, with the aggregate and station ids the rules see."""

    def given(*history: DomainEvent) -> Given[S]:
        return Given(decider, list(history), aggregate_id, station_id)

    return given

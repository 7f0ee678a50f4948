"""A station's evaluation (中期评估 / 终期评估): recorded once per station, kind and year."""

from __future__ import annotations

from dataclasses import dataclass

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationEvaluated
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict


class EvaluationAlreadyRecorded(Conflict):
    """A station has one evaluation of each kind per year; it is recorded once."""


@dataclass(frozen=True)
class Evaluation:
    recorded: bool = False


def evaluation_id(station_id: str, kind: str, period: str) -> str:
    return f"{station_id}-{kind}-{period}"


def total(event: StationEvaluated) -> float:
    """The overall score: the mean of the dimensions, to one decimal."""
    scores = event.scores.model_dump().values()
    return round(sum(scores) / len(scores), 1)


class EvaluationAggregate(Aggregate[Evaluation]):
    aggregate_type = "evaluation"

    def initial(self) -> Evaluation:
        return Evaluation()

    def evolve(self, state: Evaluation, event: DomainEvent, envelope: Envelope) -> Evaluation:
        return Evaluation(True) if isinstance(event, StationEvaluated) else state


def record(state: Evaluation, event: StationEvaluated) -> list[DomainEvent]:
    if state.recorded:
        raise EvaluationAlreadyRecorded(
            f"the {event.kind} evaluation of {event.period} is already recorded", field="period"
        )
    return [event]

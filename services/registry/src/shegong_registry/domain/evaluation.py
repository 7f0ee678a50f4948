"""A station's evaluation (中期评估 / 终期评估): recorded once per station, kind and year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import EvaluationKind, EvaluationScores, StationEvaluated
from shegong_runtime.decider import Decider
from shegong_runtime.errors import Conflict


class EvaluationAlreadyRecorded(Conflict):
    """A station has one evaluation of each kind per year; it is recorded once."""


@dataclass(frozen=True)
class Evaluation:
    recorded: bool = False


@dataclass(frozen=True, kw_only=True)
class RecordEvaluation:
    station_id: str
    district_id: str
    kind: EvaluationKind
    period: str
    scores: EvaluationScores
    reviewer: str
    evaluated_on: date
    exemplary: bool = False
    summary: str | None = None
    highlights: tuple[str, ...] = ()

    @property
    def evaluation_id(self) -> str:
        return evaluation_id(self.station_id, self.kind, self.period)


def evaluation_id(station_id: str, kind: str, period: str) -> str:
    return f"{station_id}-{kind}-{period}"


def total(scores: EvaluationScores) -> float:
    """The overall score: the mean of the dimensions, to one decimal."""
    values = scores.model_dump().values()
    return round(sum(values) / len(values), 1)


class EvaluationDecider(Decider[RecordEvaluation, Evaluation]):
    aggregate_type = "evaluation"

    def initial(self) -> Evaluation:
        return Evaluation()

    def decide(self, command: RecordEvaluation, state: Evaluation) -> list[DomainEvent]:
        if state.recorded:
            raise EvaluationAlreadyRecorded(
                f"{command.period} 的这类评估（{command.kind}）已记录",
                field="period",
            )
        return [
            StationEvaluated(
                district_id=command.district_id,
                kind=command.kind,
                period=command.period,
                scores=command.scores,
                reviewer=command.reviewer,
                evaluated_on=command.evaluated_on,
                exemplary=command.exemplary,
                summary=command.summary,
                highlights=list(command.highlights),
            )
        ]

    def evolve(self, state: Evaluation, event: DomainEvent, envelope: Envelope) -> Evaluation:
        return Evaluation(True) if isinstance(event, StationEvaluated) else state


EVALUATION = EvaluationDecider()

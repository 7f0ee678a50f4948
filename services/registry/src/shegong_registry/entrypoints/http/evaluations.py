"""Station evaluations (中期评估) over HTTP: recorded by the district bureau, listed per district."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from shegong_events.calendar import start_of
from shegong_events.registry import EvaluationKind, EvaluationScores
from shegong_runtime.auth import Principal, Role, requires
from shegong_runtime.commands import Answer, handle
from shegong_runtime.errors import Forbidden
from shegong_runtime.http import respond
from shegong_runtime.inputs import MULTILINE
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain import evaluation
from shegong_registry.domain.evaluation import EVALUATION, total
from shegong_registry.entrypoints.http.answers import DistrictEvaluations, EvaluationAnswer
from shegong_registry.entrypoints.http.common import (
    Body,
    Context,
    DistrictId,
    Reader,
    StationId,
    answer,
)

router = APIRouter(tags=["evaluations"])
EVALUATORS = (Role.district_officer, Role.city_admin)
Evaluator = Annotated[Principal, Depends(requires(*EVALUATORS))]


class RecordEvaluation(Body):
    kind: EvaluationKind = "midterm"
    period: str = Field(pattern=r"^\d{4}$", description="the project year evaluated, e.g. 2024")
    scores: EvaluationScores
    reviewer: str = Field(
        examples=["兰州市民政局中期评估组"],
        min_length=1,
        max_length=100,
        description="reviewing body, not a person",
    )
    evaluated_on: date
    exemplary: bool = False
    summary: str | None = Field(
        examples=["站点服务台账完整，议事会运行规范。"],
        default=None,
        max_length=2000,
        json_schema_extra=MULTILINE,
    )
    highlights: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=20
    )


@router.post(
    "/stations/{station_id}/evaluations",
    status_code=201,
    responses=answer(201, "the evaluation, recorded", EvaluationAnswer),
)
async def record(
    station_id: StationId,
    body: RecordEvaluation,
    request: Request,
    ctx: Context,
    who: Evaluator,
):
    rt = runtime(request)
    await rt.stations.check_write(who, station_id)
    district_id = rt.stations.district_of(station_id)
    assert district_id is not None
    command = evaluation.RecordEvaluation(
        station_id=station_id,
        district_id=district_id,
        **body.model_dump(exclude={"scores", "highlights"}),
        scores=body.scores,
        highlights=tuple(body.highlights),
    )

    def answered(envelopes: list, _state: evaluation.Evaluation) -> Answer:
        return Answer(
            201,
            {
                "evaluation_id": command.evaluation_id,
                "station_id": station_id,
                "version": envelopes[-1].aggregate_version,
                "total": total(command.scores),
                "exemplary": command.exemplary,
            },
        )

    done = await handle(
        rt.store,
        EVALUATION,
        command.evaluation_id,
        command,
        station_id=station_id,
        ctx=ctx,
        respond=answered,
        occurred_at=start_of(body.evaluated_on),
    )
    return respond(done)


@router.get(
    "/districts/{district_id}/evaluations",
    operation_id="district_evaluations",
    responses={200: {"model": DistrictEvaluations}},
)
async def per_district(
    district_id: DistrictId,
    request: Request,
    who: Reader,
    period: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
):
    """A district's evaluations, best first; station staff see their own stations' only."""
    rt = runtime(request)
    if who.role == Role.district_officer and who.district != district_id:
        raise Forbidden(
            f"a district officer of {who.district} has no access to {district_id}",
            field="district_id",
        )
    await rt.stations.refresh()
    rows = await views.evaluations(rt, district_id, period)
    return {
        "district_id": district_id,
        "evaluations": [r for r in rows if who.can_see(r["station_id"], rt.stations.district_of)],
    }

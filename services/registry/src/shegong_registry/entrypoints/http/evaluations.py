"""Station evaluations (中期评估) over HTTP: recorded by the district bureau, listed per district."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from shegong_events.calendar import start_of
from shegong_events.registry import EvaluationKind, EvaluationScores
from shegong_runtime.auth import Role
from shegong_runtime.commands import answer, version_of
from shegong_runtime.http import CommandRequest, command_request
from shegong_runtime.inputs import MULTILINE
from shegong_runtime.paging import Paging
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain import evaluation
from shegong_registry.domain.evaluation import EVALUATION, total
from shegong_registry.entrypoints.http.answers import DistrictEvaluations, EvaluationAnswer
from shegong_registry.entrypoints.http.common import Body, DistrictId, Reader, StationId
from shegong_registry.entrypoints.http.common import answer as answer_doc

router = APIRouter(tags=["evaluations"])
EVALUATORS = (Role.district_officer, Role.city_admin)
Evaluating = Annotated[CommandRequest, Depends(command_request(*EVALUATORS))]


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
    responses=answer_doc(201, "the evaluation, recorded", EvaluationAnswer),
)
async def record(station_id: StationId, body: RecordEvaluation, call: Evaluating):
    rt = await call.at(station_id)
    command = evaluation.RecordEvaluation(
        station_id=station_id,
        district_id=rt.stations.district_of(station_id) or "",  # known: checked above
        **body.model_dump(exclude={"scores", "highlights"}),
        scores=body.scores,
        highlights=tuple(body.highlights),
    )
    respond = answer(
        201,
        evaluation_id=command.evaluation_id,
        station_id=station_id,
        version=version_of,
        total=total(command.scores),
        exemplary=command.exemplary,
    )
    return await call.run(
        EVALUATION,
        command.evaluation_id,
        command,
        station_id=station_id,
        respond=respond,
        occurred_at=start_of(body.evaluated_on),
    )


@router.get(
    "/districts/{district_id}/evaluations",
    operation_id="district_evaluations",
    responses={200: {"model": DistrictEvaluations}},
)
async def per_district(
    district_id: DistrictId,
    request: Request,
    who: Reader,
    page: Paging,
    period: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
):
    """A district's evaluations, the latest period and the best total first; station staff see
    their own stations' only."""
    rt = runtime(request)
    if who.role == Role.district_officer:
        who.require_district(district_id)
    stations = await rt.stations.scope(who)
    found = await views.evaluations(rt, page, district_id, period, stations)
    return {"district_id": district_id, **page.answer(*found)}

"""Station evaluations (中期评估) over HTTP: recorded by the district bureau, listed per district."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from shegong_events.calendar import start_of
from shegong_runtime import openapi
from shegong_runtime.auth import Role
from shegong_runtime.commands import answer, version_of
from shegong_runtime.paging import Paging
from shegong_runtime.routes import Inspecting, Reader
from shegong_runtime.service import runtime

from shegong_registry import views
from shegong_registry.domain import evaluation
from shegong_registry.domain.evaluation import EVALUATION, total
from shegong_registry.entrypoints.http import bodies
from shegong_registry.entrypoints.http.answers import DistrictEvaluations, EvaluationAnswer
from shegong_registry.entrypoints.http.common import DistrictId, StationId

router = APIRouter(tags=["evaluations"])


@router.post(
    "/stations/{station_id}/evaluations",
    status_code=201,
    responses=openapi.command(201, "the evaluation, recorded", EvaluationAnswer),
)
async def record_evaluation(station_id: StationId, body: bodies.RecordEvaluation, call: Inspecting):
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
        checked=True,  # by `call.at` above
        respond=respond,
        occurred_at=start_of(body.evaluated_on),
    )


@router.get(
    "/districts/{district_id}/evaluations",
    responses=openapi.reading(DistrictEvaluations, "a district's evaluations, best first"),
)
async def district_evaluations(
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

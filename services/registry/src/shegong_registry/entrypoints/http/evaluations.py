"""Station evaluations (中期评估) over HTTP: recorded by the district bureau, listed per district."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from shegong_events.calendar import start_of
from shegong_runtime import openapi
from shegong_runtime.auth import Role
from shegong_runtime.commands import Order, Sealer, answer, version_of
from shegong_runtime.paging import Paging
from shegong_runtime.routes import Inspecting, Reader
from shegong_runtime.service import Runtime, runtime

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
    evaluation_id = evaluation.evaluation_id(station_id, body.kind, body.period)
    respond = answer(
        201,
        evaluation_id=evaluation_id,
        station_id=station_id,
        version=version_of,
        total=total(body.scores),
        exemplary=body.exemplary,
    )
    recorded = partial(_recorded, call.rt, station_id, body)
    return await call.send(
        Order(
            EVALUATION,
            evaluation_id,
            recorded,
            respond,
            station_id=station_id,
            occurred_at=start_of(body.evaluated_on),
        )
    )


async def _recorded(
    rt: Runtime, station_id: str, body: bodies.RecordEvaluation, _state: Any, _seal: Sealer
) -> evaluation.RecordEvaluation:
    """The evaluation, filed under the station's district (known once its scope is checked)."""
    return evaluation.RecordEvaluation(
        station_id=station_id,
        district_id=rt.stations.district_of(station_id) or "",
        **body.model_dump(exclude={"scores", "highlights"}),
        scores=body.scores,
        highlights=tuple(body.highlights),
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

"""Station evaluations (中期评估) over HTTP: recorded by the district bureau, listed per district."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field
from shegong_events.registry import EvaluationKind, EvaluationScores, StationEvaluated
from shegong_runtime.auth import READERS, Principal, Role, requires
from shegong_runtime.commands import CommandContext
from shegong_runtime.errors import Forbidden
from shegong_runtime.http import command_context, respond
from shegong_runtime.inputs import MULTILINE
from shegong_runtime.service import runtime

from shegong_registry import handlers, views
from shegong_registry.entrypoints.common import ID, Body, writable

router = APIRouter(tags=["evaluations"])
StationId = Annotated[str, Path(pattern=ID)]
EVALUATORS = (Role.district_officer, Role.city_admin)


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


@router.post("/stations/{station_id}/evaluations", status_code=201)
async def record(
    station_id: StationId,
    body: RecordEvaluation,
    request: Request,
    who: Principal = Depends(requires(*EVALUATORS)),
    ctx: CommandContext = Depends(command_context),
):
    rt = runtime(request)
    await writable(rt, who, station_id)
    district_id = rt.stations.district_of(station_id)
    assert district_id is not None
    event = StationEvaluated(district_id=district_id, **body.model_dump())
    return respond(await handlers.evaluate(rt, station_id, ctx, event))


@router.get("/districts/{district_id}/evaluations")
async def per_district(
    district_id: Annotated[str, Path(pattern=ID)],
    request: Request,
    period: str | None = Query(default=None, pattern=r"^\d{4}$"),
    who: Principal = Depends(requires(*READERS)),
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

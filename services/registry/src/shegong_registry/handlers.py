"""Organisation and evaluation commands: decide, append, and keep the registers in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationEvaluated
from shegong_runtime.commands import Answer, CommandContext, execute, remembered
from shegong_runtime.errors import Conflict
from shegong_runtime.service import Runtime

from shegong_registry import registers
from shegong_registry.domain import evaluation, organisation
from shegong_registry.domain.organisation import Organisation, OrganisationAggregate, OrgNameTaken

CHINA = ZoneInfo("Asia/Shanghai")
NUMBERING_ATTEMPTS = 20
ORG = OrganisationAggregate()
EVALUATION = evaluation.EvaluationAggregate()

Decide = Callable[[Organisation, int], Sequence[DomainEvent]]


class FilingNumbersBusy(Conflict):
    """Approvals in this station kept racing for the next filing number; try again."""


def _answer(status: int) -> Callable[[list[Envelope], Organisation], Answer]:
    def respond(envelopes: list[Envelope], state: Organisation) -> Answer:
        last = envelopes[-1]
        return Answer(
            status,
            {
                "organisation_id": last.aggregate_id,
                "station_id": last.station_id,
                "version": last.aggregate_version,
                "status": str(state.status),
                "name": state.name,
                "filing_number": state.filing_number,
            },
        )

    return respond


async def run(
    rt: Runtime,
    station_id: str,
    organisation_id: str,
    ctx: CommandContext,
    decide: Decide,
    occurred_at: datetime | None,
    expected_version: int | None = None,
    status: int = 200,
    numbered: tuple[int, int] | None = None,
) -> Answer:
    """One organisation command; a name clash rolls back its events with it (409 OrgNameTaken)."""
    assert rt.store is not None
    try:
        return await execute(
            rt.store,
            ORG,
            organisation_id,
            station_id,
            ctx,
            decide=decide,
            respond=_answer(status),
            occurred_at=occurred_at,
            expected_version=expected_version,
            after_append=lambda conn, envelopes: registers.record(conn, envelopes, numbered),
        )
    except OrgNameTaken:
        # a concurrent retry under the same Idempotency-Key may hold the name: answer as it did
        if ctx.idempotency_key and (first := await remembered(rt.store, ctx)) is not None:
            return first
        raise


async def approve(
    rt: Runtime,
    station_id: str,
    organisation_id: str,
    ctx: CommandContext,
    occurred_at: datetime | None,
    expected_version: int | None,
) -> Answer:
    """Number the filing with the station's next number of the year; a raced number is retried."""
    year = (occurred_at or datetime.now(CHINA)).astimezone(CHINA).year
    for _ in range(NUMBERING_ATTEMPTS):
        sequence = await registers.next_filing_sequence(rt.pool, station_id, year)
        number = organisation.filing_number(station_id, year, sequence)
        try:
            return await run(
                rt,
                station_id,
                organisation_id,
                ctx,
                decide=lambda state, _v, number=number: organisation.approve(
                    state, station_id, organisation_id, number
                ),
                occurred_at=occurred_at,
                expected_version=expected_version,
                numbered=(year, sequence),
            )
        except registers.FilingNumberRaced:
            continue
    raise FilingNumbersBusy(
        f"could not number the filing of {organisation_id}: too many concurrent approvals"
    )


async def evaluate(
    rt: Runtime, station_id: str, ctx: CommandContext, event: StationEvaluated
) -> Answer:
    assert rt.store is not None
    aggregate_id = evaluation.evaluation_id(station_id, event.kind, event.period)
    return await execute(
        rt.store,
        EVALUATION,
        aggregate_id,
        station_id,
        ctx,
        decide=lambda state, _v: evaluation.record(state, event),
        respond=lambda envelopes, _s: Answer(
            201,
            {
                "evaluation_id": aggregate_id,
                "station_id": station_id,
                "version": envelopes[-1].aggregate_version,
                "total": evaluation.total(event),
                "exemplary": event.exemplary,
            },
        ),
        occurred_at=datetime.combine(event.evaluated_on, datetime.min.time(), CHINA),
    )

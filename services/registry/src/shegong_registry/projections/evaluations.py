"""Station evaluations, one row each, with the total the district list sorts by."""

from __future__ import annotations

import json

import asyncpg
from shegong_events import DomainEvent, Envelope
from shegong_events.registry import StationEvaluated
from shegong_runtime.read_models import Handler

from shegong_registry.domain.evaluation import total

DDL = """
CREATE TABLE IF NOT EXISTS {s}.evaluations (
    evaluation_id text PRIMARY KEY,
    station_id text NOT NULL,
    district_id text NOT NULL,
    kind text NOT NULL,
    period text NOT NULL,
    administration double precision NOT NULL,
    finance double precision NOT NULL,
    service_delivery double precision NOT NULL,
    social_evaluation double precision NOT NULL,
    publicity_innovation double precision NOT NULL,
    total double precision NOT NULL,
    reviewer text NOT NULL,
    evaluated_on date NOT NULL,
    exemplary boolean NOT NULL,
    summary text,
    highlights jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_district ON {s}.evaluations (district_id, period);
CREATE INDEX IF NOT EXISTS evaluations_listed ON {s}.evaluations (district_id, period DESC, total DESC, evaluation_id DESC);
"""
TABLES = ("evaluations",)


async def evaluated(conn: asyncpg.Connection, s: str, env: Envelope, e: StationEvaluated) -> None:
    await conn.execute(
        f"INSERT INTO {s}.evaluations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14, $15, $16::jsonb) ON CONFLICT (evaluation_id) DO NOTHING",
        env.aggregate_id,
        env.station_id,
        e.district_id,
        e.kind,
        e.period,
        *e.scores.model_dump().values(),
        total(e.scores),
        e.reviewer,
        e.evaluated_on,
        e.exemplary,
        e.summary,
        json.dumps(e.highlights, ensure_ascii=False),
    )


HANDLERS: dict[type[DomainEvent], Handler] = {StationEvaluated: evaluated}

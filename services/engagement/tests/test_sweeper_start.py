"""The sweeper waits for its read model: a fresh start logs no error."""

from __future__ import annotations

import uuid

import asyncpg
from shegong_engagement import sweeper
from shegong_engagement.bootstrap import service
from shegong_runtime.connections import with_database
from shegong_testing.fixtures import eventually
from shegong_testing.http import service_client


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def __getattr__(self, level: str):
        return lambda event, **fields: self.events.append(event)


async def test_a_fresh_start_waits_for_the_sessions_table_instead_of_failing(
    postgres_server_url, nats_url, monkeypatch
):
    name = f"shegong_fresh_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        fresh = with_database(postgres_server_url, name)
        monkeypatch.setenv("SHEGONG_ENGAGEMENT_SWEEP_INTERVAL_S", "0.05")
        log = Recorder()
        monkeypatch.setattr(sweeper, "log", log)
        async with service_client(service, fresh, nats_url):
            await eventually(lambda: "sweeper.ready" in log.events, timeout=30)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
    assert "sweeper.error" not in log.events

"""What the recovery tests share: visits served in-process, a household's commands, the
stream read back, and PostgreSQL's own dump and restore of the service's schemas."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import nats
from shegong_events import Envelope
from shegong_runtime import auth, pgtools
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import open_stations, service_client, settings_for
from shegong_visits.bootstrap import service

DISTRICT = "chengguan"


@asynccontextmanager
async def visits(
    database_url: str, nats_url: str, station: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The visits service in-process, knowing `station`; its lifespan (reconcile, relay,
    projections) runs as in `shegong serve visits`."""
    async with service_client(service, database_url, nats_url) as client:
        settings = settings_for(database_url, nats_url, "visits")
        nc = await nats.connect(nats_url)
        await open_stations(nc, settings, [(station, DISTRICT)])
        await nc.close()
        client.headers.update(
            {"Authorization": f"Bearer {auth.issue(settings, 'rec-admin', auth.Role.city_admin)}"}
        )

        known = runtime(client.app).stations

        async def learned() -> bool:
            return station in set(await known.all())

        await eventually(learned)
        yield client


async def register(client: httpx.AsyncClient, station: str, name: str) -> str:
    hid = f"hh-{uuid.uuid4().hex[:10]}"
    body = {
        "household_id": hid,
        "station_id": station,
        "categories": ["minimum_living_allowance"],
        "head_name": name,
    }
    r = await client.post("/households", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    return hid


async def retier(client: httpx.AsyncClient, hid: str, tier: str) -> httpx.Response:
    return await client.post(
        f"/households/{hid}/risk-tier",
        json={"tier": tier, "reason": "periodic_review", "major_change": True},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


async def erase(client: httpx.AsyncClient, hid: str) -> httpx.Response:
    return await client.post(f"/households/{hid}/erasure", json={"reason": "subject_request"})


async def published(nats_url: str, station: str) -> list[tuple[int, Envelope]]:
    """(sequence, event) of every message of `station` on SW_VISITS, in stream order (an
    ordered consumer on the station's subjects: one pass, however long the stream)."""
    nc = await nats.connect(nats_url)
    subject = f"sw.visits.{station}.>"
    try:
        js = nc.jetstream()
        info = await js.stream_info("SW_VISITS", subjects_filter=subject)
        count = sum((info.state.subjects or {}).values())
        out = []
        if count:
            sub = await js.subscribe(subject, ordered_consumer=True)
            try:
                for _ in range(count):
                    msg = await sub.next_msg(timeout=10)
                    out.append(
                        (msg.metadata.sequence.stream, Envelope.model_validate_json(msg.data))
                    )
            finally:
                await sub.unsubscribe()
    finally:
        await nc.close()
    return out


async def stored(pool, station: str) -> dict[tuple[str, int], str]:
    rows = await pool.fetch(
        "SELECT stream_id, version, event_id::text AS id FROM visits.events WHERE station_id = $1",
        station,
    )
    return {(r["stream_id"], r["version"]): r["id"] for r in rows}


async def relayed(pool, nats_url: str, station: str) -> None:
    """Until every stored event of the station is on the stream."""

    async def all_there() -> bool:
        on_stream = {str(e.event_id) for _, e in await published(nats_url, station)}
        return set((await stored(pool, station)).values()) <= on_stream

    await eventually(all_there, timeout=30)


async def dump(database_url: str, path: Path) -> None:
    """pg_dump of the visits service's schemas (its store and key store, its read models), by
    the client tool of the server's own major version."""
    tool = pgtools.find("pg_dump", await pgtools.server_major(database_url))
    subprocess.run(
        [str(tool), "--format=custom", "--schema=visits", "--schema=visits_*", "--file", str(path)]
        + ["--dbname", database_url],
        check=True,
        capture_output=True,
    )


async def restore(database_url: str, path: Path) -> None:
    """pg_restore --clean, as an operator restores a dump over the live database."""
    tool = pgtools.find("pg_restore", await pgtools.server_major(database_url))
    done = subprocess.run(
        [str(tool), "--clean", "--if-exists", "--dbname", database_url, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]

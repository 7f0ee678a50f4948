"""The reliability suite's restore scenarios, on visits served in-process against real
PostgreSQL and NATS, each measured the same way:

- the store restored behind its streams (pg_restore --clean of a dump taken before the last
  commands, one person erased after it);
- the domain streams lost and restored from their snapshots, behind the store;
- the read model's schema dropped.

Figures: events lost (acknowledged but in neither the store nor the stream), duplicated (an
event id twice on the stream), reused versions (one version, two events), erasures in force
(people erased after the backup whose key is gone), RTO (from the restore's end until the
service accepts a command again, seconds) and RPO (acknowledged events that had reached a stream
and are not back: must be 0). `tests/reliability/test_restore_scenarios.py` asserts them;
`bench/recovery.py` prints the table.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
import nats
from shegong_runtime import generations
from shegong_runtime.ops import backup

from tests.recovery.helpers import (
    dump,
    erase,
    published,
    register,
    relayed,
    restore,
    retier,
    stored,
    visits,
)


@dataclass
class Figures:
    scenario: str
    events_before: int = 0
    lost: int = 0
    duplicated: int = 0
    reused_versions: int = 0
    erased_after_backup: int = 0
    erasures_in_force: int = 0
    rto_s: float = 0.0
    rpo_events: int = 0
    read_model_mismatches: int = 0

    def zeros(self) -> dict[str, int]:
        return {
            "lost": self.lost,
            "duplicated": self.duplicated,
            "reused_versions": self.reused_versions,
            "rpo_events": self.rpo_events,
            "erasures_not_in_force": self.erased_after_backup - self.erasures_in_force,
            "read_model_mismatches": self.read_model_mismatches,
        }


def table(rows: list[Figures]) -> str:
    keys = [k for k in asdict(rows[0]) if k != "scenario"]
    head = "| figure | " + " | ".join(r.scenario for r in rows) + " |"
    rule = "| --- |" + " ---: |" * len(rows)
    body = [f"| {k} | " + " | ".join(str(getattr(r, k)) for r in rows) + " |" for k in keys]
    return "\n".join([head, rule, *body])


async def _week(client, station: str, n: int) -> list[str]:
    households = [await register(client, station, f"户主{i}") for i in range(n)]
    for hid in households:
        assert (await retier(client, hid, "high")).status_code == 200
    return households


async def _measure(
    figures: Figures, pool, nats_url: str, station: str, acked: dict, restored_at: float, client
) -> None:
    """Compare store, stream and acknowledgements; RTO is the first command accepted."""
    hid = next(iter(acked))[0].removeprefix("household-")
    while (await retier(client, hid, "general")).status_code != 200:
        await asyncio.sleep(0.05)
    figures.rto_s = round(time.monotonic() - restored_at, 2)
    await relayed(pool, nats_url, station)
    held = await stored(pool, station)
    stream = await published(nats_url, station)
    ids = Counter(str(e.event_id) for _, e in stream)
    versions: dict[tuple[str, int], set[str]] = {}
    for _, e in stream:
        versions.setdefault((e.stream_id, e.aggregate_version), set()).add(str(e.event_id))
    on_stream = {k: next(iter(v)) for k, v in versions.items()}
    figures.duplicated = sum(n - 1 for n in ids.values())
    figures.reused_versions = sum(1 for v in versions.values() if len(v) > 1)
    figures.lost = sum(1 for k, v in acked.items() if held.get(k) != v and on_stream.get(k) != v)
    figures.rpo_events = sum(1 for k, v in acked.items() if held.get(k) != v)
    figures.lost += sum(1 for k, v in held.items() if on_stream.get(k) != v)


async def _read_model_mismatches(pool, station: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    wrong = -1
    while time.monotonic() < deadline:
        schema = await generations.live_schema(pool, "visits_read")
        try:
            model = {
                r["household_id"]: r["v"]
                for r in await pool.fetch(
                    f"SELECT household_id, max(version) AS v FROM {schema}.timeline "
                    "WHERE household_id IN (SELECT household_id FROM "
                    f"{schema}.households WHERE station_id = $1) GROUP BY 1",
                    station,
                )
            }
        except asyncpg.UndefinedTableError:
            model = {}
        store = {
            r["aggregate_id"]: r["v"]
            for r in await pool.fetch(
                "SELECT aggregate_id, max(version) AS v FROM visits.events WHERE station_id = $1 "
                "GROUP BY 1",
                station,
            )
        }
        wrong = sum(1 for h, v in store.items() if model.get(h) != v)
        if not wrong:
            return 0
        await asyncio.sleep(0.2)
    return wrong


async def store_behind_streams(database_url: str, nats_url: str, pool, tmp: Path) -> Figures:
    figures = Figures("store restored behind its streams")
    station = f"rs-{uuid.uuid4().hex[:8]}"
    async with visits(database_url, nats_url, station) as client:
        households = await _week(client, station, 6)
        await relayed(pool, nats_url, station)
        await dump(database_url, tmp / "store.dump")
        for hid in households[:4]:  # the last commands, and one person erased
            assert (await retier(client, hid, "key")).status_code == 200
        assert (await erase(client, households[5])).status_code == 200
        figures.erased_after_backup = 1
        await relayed(pool, nats_url, station)
        acked = await stored(pool, station)
    figures.events_before = len(acked)
    await restore(database_url, tmp / "store.dump")
    restored_at = time.monotonic()
    async with visits(database_url, nats_url, station) as client:
        await _measure(figures, pool, nats_url, station, acked, restored_at, client)
        figures.erasures_in_force = int(
            not await pool.fetchval(
                "SELECT count(*) FROM visits.subject_keys WHERE subject_id = $1",
                f"household:{households[5]}",
            )
        )
        figures.read_model_mismatches = await _read_model_mismatches(pool, station)
    return figures


async def streams_behind_store(database_url: str, nats_url: str, pool, tmp: Path) -> Figures:
    figures = Figures("streams restored behind the store")
    station = f"sb-{uuid.uuid4().hex[:8]}"
    nc = await nats.connect(nats_url)
    try:
        async with visits(database_url, nats_url, station) as client:
            households = await _week(client, station, 6)
            await relayed(pool, nats_url, station)
            metas = {
                s: await backup.snapshot(nc, s, tmp / f"{s}.snapshot")
                for s in ("SW_VISITS", "SWP_VISITS")
            }
            for hid in households:  # work after the snapshots
                assert (await retier(client, hid, "key")).status_code == 200
            await relayed(pool, nats_url, station)
            acked = await stored(pool, station)
        figures.events_before = len(acked)
        js = nc.jetstream()
        for name, meta in metas.items():  # the streams lost, restored from the snapshots
            await js.delete_stream(name)
            await backup.restore_stream(nc, name, meta, tmp / f"{name}.snapshot")
        restored_at = time.monotonic()
        async with visits(database_url, nats_url, station) as client:
            await _measure(figures, pool, nats_url, station, acked, restored_at, client)
            figures.read_model_mismatches = await _read_model_mismatches(pool, station)
    finally:
        await nc.close()
    return figures


async def read_model_dropped(database_url: str, nats_url: str, pool, tmp: Path) -> Figures:
    figures = Figures("read model schema dropped")
    station = f"rm-{uuid.uuid4().hex[:8]}"
    async with visits(database_url, nats_url, station) as client:
        await _week(client, station, 6)
        await relayed(pool, nats_url, station)
        acked = await stored(pool, station)
    figures.events_before = len(acked)
    schema = await generations.live_schema(pool, "visits_read")
    await pool.execute(f"DROP SCHEMA {schema} CASCADE")
    restored_at = time.monotonic()
    async with visits(database_url, nats_url, station) as client:
        await _measure(figures, pool, nats_url, station, acked, restored_at, client)
        figures.read_model_mismatches = await _read_model_mismatches(pool, station, timeout=60)
    return figures


async def run(database_url: str, nats_url: str, tmp: Path) -> list[Figures]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        return [
            await store_behind_streams(database_url, nats_url, pool, tmp),
            await streams_behind_store(database_url, nats_url, pool, tmp),
            await read_model_dropped(database_url, nats_url, pool, tmp),
        ]
    finally:
        await pool.close()
